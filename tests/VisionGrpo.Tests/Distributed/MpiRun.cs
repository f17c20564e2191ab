using System.Diagnostics;

namespace VisionGrpo.Tests.Distributed;

/// <summary>
/// Runs the built CLI (the copy next to this test assembly) under <c>mpirun --oversubscribe -np N</c>, from a
/// chosen folder. mpirun must be installed (.ci/run installs Open MPI; locally: apt-get install openmpi-bin
/// libopenmpi-dev): without it the multi-rank tests fail with that instruction rather than passing silently.
/// </summary>
internal static class MpiRun
{
    /// <summary>Trait value of the tests that start MPI jobs.</summary>
    public const string Category = "Mpi";

    /// <summary>The mpirun on PATH.</summary>
    public static string Mpirun { get; } = Find();

    static string Find()
    {
        foreach (var dir in (Environment.GetEnvironmentVariable("PATH") ?? "").Split(':', StringSplitOptions.RemoveEmptyEntries))
            if (File.Exists(Path.Combine(dir, "mpirun"))) return Path.Combine(dir, "mpirun");
        return "";
    }

    /// <summary>The CLI executable copied next to the test assembly.</summary>
    public static string Cli => Path.Combine(AppContext.BaseDirectory, "VisionGrpo.Cli");

    /// <summary>Runs <c>mpirun -np <paramref name="ranks"/> visiongrpo args…</c> in <paramref name="workDir"/>.</summary>
    public static (int Code, string Out, string Err) Run(int ranks, string workDir, TimeSpan timeout, params string[] args)
    {
        Assert.True(Mpirun.Length > 0, "mpirun is not on PATH: install Open MPI (apt-get install -y openmpi-bin libopenmpi-dev; .ci/run does) to run the multi-rank tests.");
        var start = new ProcessStartInfo(Mpirun) { WorkingDirectory = workDir };
        // Root in CI containers; more ranks than cores on a 2-core machine; the parent's environment is passed on.
        foreach (var a in new[] { "--allow-run-as-root", "--oversubscribe", "-np", ranks.ToString(System.Globalization.CultureInfo.InvariantCulture), Cli })
            start.ArgumentList.Add(a);
        foreach (var a in args) start.ArgumentList.Add(a);
        Configure(start.Environment);
        return ProcessRun.Complete(start, timeout);
    }

    /// <summary>
    /// One torch thread per rank; and no cross-memory-attach single copies in Open MPI's shared-memory transport,
    /// which containers without ptrace permission refuse (CI runs in one).
    /// </summary>
    public static void Configure(IDictionary<string, string?> environment)
    {
        environment["VISIONGRPO_THREADS"] = "1";
        environment["OMPI_MCA_btl_vader_single_copy_mechanism"] = "none";
    }

    /// <summary>Runs the CLI alone (no launcher) with the given extra environment.</summary>
    public static (int Code, string Out, string Err) RunAlone(string workDir, IReadOnlyDictionary<string, string> env, TimeSpan timeout, params string[] args)
    {
        var start = new ProcessStartInfo(Cli) { WorkingDirectory = workDir };
        foreach (var a in args) start.ArgumentList.Add(a);
        foreach (var (k, v) in env) start.Environment[k] = v;
        return ProcessRun.Complete(start, timeout);
    }
}
