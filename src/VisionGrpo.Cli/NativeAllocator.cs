using System.Collections;
using System.Runtime.InteropServices;

namespace VisionGrpo.Cli;

/// <summary>
/// Makes sure the process runs with <c>GLIBC_TUNABLES=glibc.malloc.hugetlb=1</c>. glibc reads the variable only
/// at start-up, so when it is missing the CLI replaces itself (<c>execve</c>) with a fresh copy that has it set.
/// The process keeps its PID, so a signal sent to the PID the user (or a scheduler) sees reaches the training
/// process itself and no orphan can outlive it; the exit code is the program's own. Set
/// <c>VISIONGRPO_NO_RELAUNCH=1</c> to opt out.
/// </summary>
internal static class NativeAllocator
{
    const string Tunables = "GLIBC_TUNABLES";
    const string HugeTlb = "glibc.malloc.hugetlb=1";
    const string OptOut = "VISIONGRPO_NO_RELAUNCH";

    /// <summary>
    /// Re-executes the program in place when the tunable is missing; returns only when that is not needed or not
    /// possible (then the process simply runs without hugetlb-backed malloc, slower).
    /// </summary>
    public static void ReexecWithTunablesIfNeeded(string[] args)
    {
        if (!OperatingSystem.IsLinux()) return;
        string current = Environment.GetEnvironmentVariable(Tunables) ?? "";
        if (current.Contains("glibc.malloc.hugetlb", StringComparison.Ordinal)) return;
        if (Environment.GetEnvironmentVariable(OptOut) is "1" or "true") return;
        string? exe = Environment.ProcessPath;
        if (exe is null) return;

        var argv = new List<string?> { exe };
        // Under `dotnet VisionGrpo.Cli.dll` the host is dotnet itself: pass the entry assembly on.
        if (Path.GetFileNameWithoutExtension(exe) == "dotnet") argv.Add(Environment.GetCommandLineArgs()[0]);
        argv.AddRange(args);
        argv.Add(null);

        var env = new List<string?>();
        foreach (DictionaryEntry e in Environment.GetEnvironmentVariables())
            if ((string)e.Key is not (Tunables or OptOut)) env.Add($"{e.Key}={e.Value}");
        env.Add($"{Tunables}={(current.Length == 0 ? HugeTlb : current + ":" + HugeTlb)}");
        env.Add($"{OptOut}=1"); // never loop, even if glibc drops the variable (setuid, old glibc)
        env.Add(null);

        Console.Out.Flush();
        Console.Error.Flush();
        // Only returns on failure (e.g. a sandbox that forbids exec): run as we are.
        Execve(exe, [.. argv], [.. env]);
    }

    // string[] marshals as a char** of UTF-8 strings; the trailing null ends the list as execve wants.
    [DllImport("libc", EntryPoint = "execve")]
    static extern int Execve(string path, string?[] argv, string?[] envp);
}
