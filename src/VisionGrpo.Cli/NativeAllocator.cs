using System.Diagnostics;

namespace VisionGrpo.Cli;

/// <summary>
/// Makes sure the process runs with <c>GLIBC_TUNABLES=glibc.malloc.hugetlb=1</c>. glibc reads the variable only
/// at start-up, so when it is missing the CLI starts itself again once with it set and passes the exit code on.
/// Set <c>VISIONGRPO_NO_RELAUNCH=1</c> to opt out.
/// </summary>
internal static class NativeAllocator
{
    const string Tunables = "GLIBC_TUNABLES";
    const string HugeTlb = "glibc.malloc.hugetlb=1";
    const string OptOut = "VISIONGRPO_NO_RELAUNCH";

    /// <summary>Returns the child's exit code when a relaunch happened, null when this process should go on.</summary>
    public static int? RelaunchWithTunablesIfNeeded(string[] args)
    {
        if (!OperatingSystem.IsLinux()) return null;
        string current = Environment.GetEnvironmentVariable(Tunables) ?? "";
        if (current.Contains("glibc.malloc.hugetlb", StringComparison.Ordinal)) return null;
        if (Environment.GetEnvironmentVariable(OptOut) is "1" or "true") return null;

        string? exe = Environment.ProcessPath;
        if (exe is null) return null;
        var start = new ProcessStartInfo(exe) { UseShellExecute = false };
        // Under `dotnet VisionGrpo.Cli.dll` the host is dotnet itself: pass the entry assembly on.
        if (Path.GetFileNameWithoutExtension(exe) == "dotnet")
            start.ArgumentList.Add(Environment.GetCommandLineArgs()[0]);
        foreach (var a in args) start.ArgumentList.Add(a);
        start.Environment[Tunables] = current.Length == 0 ? HugeTlb : current + ":" + HugeTlb;
        start.Environment[OptOut] = "1";
        try
        {
            using var child = Process.Start(start);
            if (child is null) return null;
            child.WaitForExit();
            return child.ExitCode;
        }
        catch (System.ComponentModel.Win32Exception)
        {
            return null; // cannot re-exec (sandbox): run as we are, only slower.
        }
    }
}
