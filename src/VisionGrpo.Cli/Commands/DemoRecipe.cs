namespace VisionGrpo.Cli.Commands;

/// <summary>Finds <c>recipes/demo.yaml</c>, the recipe `visiongrpo train` runs without --config.</summary>
internal static class DemoRecipe
{
    public const string RelativePath = "recipes/demo.yaml";

    /// <summary>The demo recipe of the repository the command runs in (its paths are relative to the repository root).</summary>
    /// <exception cref="FileNotFoundException">Not found: run from the repository root or pass --config.</exception>
    public static string Locate() => File.Exists(RelativePath)
        ? RelativePath
        : throw new FileNotFoundException(
            $"no --config given and no {RelativePath} in '{Environment.CurrentDirectory}': run the demo from the VisionGrpo repository root, or pass --config RECIPE.yaml.");
}
