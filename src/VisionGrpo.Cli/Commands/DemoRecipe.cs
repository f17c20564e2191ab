namespace VisionGrpo.Cli.Commands;

/// <summary>
/// The recipe `visiongrpo train` runs without --config: <c>recipes/demo.yaml</c> of the repository clone the command
/// runs in (its paths are relative to the clone's root), else the copy shipped next to the executable (the installed
/// tool carries <c>demo/recipes/demo.yaml</c> and <c>demo/models/visiongrpo-demo</c>). Outputs stay relative to the
/// working directory (<c>out/demo</c>).
/// </summary>
/// <param name="Path">The recipe file.</param>
/// <param name="Overrides">
/// <c>key=value</c> overrides that make the recipe's paths absolute (for the shipped copy: model_name_or_path); they
/// come before the user's --set and flags, so those still win.
/// </param>
internal sealed record DemoRecipe(string Path, IReadOnlyList<string> Overrides)
{
    /// <summary>The demo recipe's path inside a clone and inside the tool's <c>demo/</c> folder.</summary>
    public const string RelativePath = "recipes/demo.yaml";
    /// <summary>The demo model's folder, relative to the same root.</summary>
    public const string ModelRelativePath = "models/visiongrpo-demo";

    /// <summary>The demo of the working directory's clone, else the shipped one, else null (a broken install).</summary>
    public static DemoRecipe? Locate() => Locate(Environment.CurrentDirectory, AppContext.BaseDirectory);

    /// <summary><see cref="Locate()"/> for a given working directory and executable folder.</summary>
    internal static DemoRecipe? Locate(string workingDirectory, string appDirectory)
    {
        if (File.Exists(System.IO.Path.Combine(workingDirectory, RelativePath))) return new(RelativePath, []);
        string root = System.IO.Path.Combine(appDirectory, "demo");
        string shipped = System.IO.Path.Combine(root, RelativePath);
        return File.Exists(shipped)
            ? new(shipped, [$"model_name_or_path={System.IO.Path.Combine(root, ModelRelativePath)}"])
            : null;
    }
}
