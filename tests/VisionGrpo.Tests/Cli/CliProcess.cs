using System.Diagnostics;

namespace VisionGrpo.Tests.Cli;

/// <summary>
/// Runs the built <c>visiongrpo</c> executable (<c>src/VisionGrpo.Cli/bin/&lt;configuration&gt;/&lt;tfm&gt;/</c>, the
/// configuration this test assembly was built in) as a separate process, as a user would: from a chosen folder, with
/// chosen environment variables (the HF_* ones are cleared unless given).
/// </summary>
internal static class CliProcess
{
    static readonly string OutputDir = FindOutputDir();

    static string FindOutputDir()
    {
        var tfm = new DirectoryInfo(AppContext.BaseDirectory.TrimEnd(Path.DirectorySeparatorChar));
        return Path.Combine(TestPaths.RepoRoot, "src", "VisionGrpo.Cli", "bin", tfm.Parent!.Name, tfm.Name);
    }

    /// <summary>Runs <c>visiongrpo args…</c> in <paramref name="workDir"/>; fails the test after <paramref name="timeout"/>.</summary>
    public static (int Code, string Out, string Err) Run(string workDir, IReadOnlyDictionary<string, string>? env, params string[] args) =>
        Run(workDir, env, TimeSpan.FromMinutes(5), args);

    public static (int Code, string Out, string Err) Run(string workDir, IReadOnlyDictionary<string, string>? env, TimeSpan timeout, params string[] args)
    {
        string appHost = Path.Combine(OutputDir, "visiongrpo");
        string dll = Path.Combine(OutputDir, "VisionGrpo.Cli.dll");
        Assert.True(File.Exists(dll), $"build the CLI first: {dll} is missing");
        var start = File.Exists(appHost) ? new ProcessStartInfo(appHost) : new ProcessStartInfo("dotnet") { ArgumentList = { dll } };
        foreach (string a in args) start.ArgumentList.Add(a);
        start.WorkingDirectory = workDir;
        foreach (string name in new[] { "HF_HOME", "HF_HUB_CACHE", "HUGGINGFACE_HUB_CACHE", "HF_ENDPOINT", "HF_TOKEN", "HF_HUB_OFFLINE" })
            start.Environment.Remove(name);
        foreach (var (name, value) in env ?? new Dictionary<string, string>()) start.Environment[name] = value;
        return ProcessRun.Complete(start, timeout);
    }
}
