namespace VisionGrpo.Cli.Commands;

/// <summary>Finds <c>recipes/demo.yaml</c>, the recipe `visiongrpo train` runs without --config.</summary>
internal static class DemoRecipe
{
    public const string RelativePath = "recipes/demo.yaml";

    /// <summary>
    /// The demo recipe of the repository the command runs in (its paths are relative to the repository root), or
    /// null elsewhere: then only TRL's defaults and --set apply, and a missing model/dataset key says so.
    /// </summary>
    public static string? Locate() => File.Exists(RelativePath) ? RelativePath : null;
}
