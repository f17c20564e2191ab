namespace VisionGrpo.Tests;

/// <summary>Locations tests need: the copied fixtures and the repository root.</summary>
internal static class TestPaths
{
    /// <summary>Fixtures copied next to the test assembly (tests/fixtures/** → fixtures/**).</summary>
    public static string Fixtures(params string[] parts) =>
        Path.Combine([AppContext.BaseDirectory, "fixtures", .. parts]);

    /// <summary>The repository root (the folder holding VisionGrpo.slnx).</summary>
    public static string RepoRoot { get; } = FindRoot();

    static string FindRoot()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
            if (File.Exists(Path.Combine(dir.FullName, "VisionGrpo.slnx"))) return dir.FullName;
        throw new DirectoryNotFoundException("VisionGrpo.slnx not found above " + AppContext.BaseDirectory);
    }
}
