using System.Diagnostics;

namespace VisionGrpo.Tests;

/// <summary>Runs a child process to completion with both streams captured; a time-out kills its tree and fails the test.</summary>
internal static class ProcessRun
{
    /// <summary>Starts <paramref name="start"/> (its streams redirected here) and waits at most <paramref name="timeout"/>.</summary>
    public static (int Code, string Out, string Err) Complete(ProcessStartInfo start, TimeSpan timeout)
    {
        start.RedirectStandardOutput = true;
        start.RedirectStandardError = true;
        start.UseShellExecute = false;
        using var process = Process.Start(start)!;
        var stdout = process.StandardOutput.ReadToEndAsync();
        var stderr = process.StandardError.ReadToEndAsync();
        if (!process.WaitForExit(timeout))
        {
            process.Kill(entireProcessTree: true);
            Assert.Fail($"{start.FileName} {string.Join(' ', start.ArgumentList)} did not finish in {timeout}.\n{stdout.Result}\n{stderr.Result}");
        }
        process.WaitForExit();
        return (process.ExitCode, stdout.Result, stderr.Result);
    }
}
