using System.Diagnostics;

namespace VisionGrpo.Tests.Packaging;

/// <summary>
/// The three packages (VisionGrpo.MathVerify, VisionGrpo, the VisionGrpo.Cli tool) packed from this checkout into a
/// temporary folder feed, under a version of their own (<c>0.1.0-test.*</c>) so that nothing a user or another run has
/// cached can stand in for them; on dispose the feed and those versions in the NuGet cache are removed.
/// </summary>
public sealed class LocalFeed : IDisposable
{
    static readonly string[] PackageIds = ["VisionGrpo.MathVerify", "VisionGrpo", "VisionGrpo.Cli", "VisionGrpo.Cli.linux-x64"];

    /// <summary>A scratch folder for the tests; the feed is its <c>feed/</c>.</summary>
    public string Root { get; } = Path.Combine(Path.GetTempPath(), "vg-packages-" + Guid.NewGuid().ToString("N")[..8]);
    /// <summary>The folder feed.</summary>
    public string Feed => Path.Combine(Root, "feed");
    /// <summary>The version every package was packed with.</summary>
    public string Version { get; } = "0.1.0-test." + Guid.NewGuid().ToString("N")[..8];

    public LocalFeed()
    {
        Directory.CreateDirectory(Feed);
        // PackageVersion, not Version: the assemblies stay as built (no recompile), only the packages get the test version.
        foreach (string project in new[] { "src/VisionGrpo.MathVerify", "src/VisionGrpo", "src/VisionGrpo.Cli" })
            Run(TestPaths.RepoRoot, TimeSpan.FromMinutes(15), "dotnet", "pack", Path.Combine(TestPaths.RepoRoot, project),
                "-c", "Debug", "-o", Feed, $"-p:PackageVersion={Version}", "-nologo");
    }

    /// <summary>The path of a package in the feed.</summary>
    public string Package(string id) => Path.Combine(Feed, $"{id}.{Version}.nupkg");

    public void Dispose()
    {
        string cache = Environment.GetEnvironmentVariable("NUGET_PACKAGES")
            ?? Path.Combine(Environment.GetFolderPath(Environment.SpecialFolder.UserProfile), ".nuget", "packages");
        foreach (string id in PackageIds)
        {
            string cached = Path.Combine(cache, id.ToLowerInvariant(), Version);
            if (Directory.Exists(cached)) Directory.Delete(cached, recursive: true);
            string idFolder = Path.GetDirectoryName(cached)!;
            if (Directory.Exists(idFolder) && !Directory.EnumerateFileSystemEntries(idFolder).Any()) Directory.Delete(idFolder);
        }
        if (Directory.Exists(Root)) Directory.Delete(Root, recursive: true);
    }

    /// <summary>
    /// Runs a process to completion and returns its standard output; a non-zero exit or a time-out fails with both
    /// streams. MSBuild variables of the test host's own build are not passed on (they would steer the child build).
    /// </summary>
    public static string Run(string workingDirectory, TimeSpan timeout, string file, params string[] args)
    {
        var start = new ProcessStartInfo(file) { WorkingDirectory = workingDirectory };
        foreach (string a in args) start.ArgumentList.Add(a);
        foreach (string key in start.Environment.Keys.Where(k => k.StartsWith("MSBuild", StringComparison.OrdinalIgnoreCase)).ToList())
            start.Environment.Remove(key);
        start.Environment["DOTNET_CLI_TELEMETRY_OPTOUT"] = "1";
        start.Environment["DOTNET_NOLOGO"] = "1";
        var (code, stdout, stderr) = ProcessRun.Complete(start, timeout);
        Assert.True(code == 0, $"{file} {string.Join(' ', args)} exited with {code}.\nstdout:\n{stdout}\nstderr:\n{stderr}");
        return stdout;
    }
}
