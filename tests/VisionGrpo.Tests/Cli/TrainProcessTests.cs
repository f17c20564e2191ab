using System.Diagnostics;
using System.Runtime.InteropServices;
using VisionGrpo.Cli;
using VisionGrpo.Cli.Commands;
using VisionGrpo.Tests.Training.Trainer;

namespace VisionGrpo.Tests.Cli;

/// <summary>
/// The built CLI as a scheduler sees it (issue 18): the PID it starts is the training process (the GLIBC_TUNABLES
/// re-exec happens in place), SIGTERM stops training at a step boundary with a checkpoint and exit code 143, kill
/// -9 leaves nothing running, and a second writer on the same output_dir is refused while the first one runs.
/// </summary>
[Collection(GlobalRngCollection.Name)]
public sealed class TrainProcessTests(TrainerFixture fixture) : IClassFixture<TrainerFixture>
{
    const int SigInt = 2, SigKill = 9, SigTerm = 15;

    [DllImport("libc", EntryPoint = "kill")]
    static extern int Kill(int pid, int signal);

    string[] TrainArgs(string output, int completionLength = 4) =>
    [
        "train", "--set", $"model_name_or_path={fixture.Model}", "--set", $"dataset_name={fixture.Data}", "--set", $"output_dir={output}",
        "--set", "max_steps=500", "--set", "per_device_train_batch_size=2", "--set", "num_generations=2", "--set", $"max_completion_length={completionLength}",
        "--set", "bf16=false", "--set", "save_steps=1000", "--set", "logging_steps=1", "--set", "gradient_checkpointing=false",
    ];

    /// <summary>
    /// Starts the CLI as a user would: without GLIBC_TUNABLES, so it re-executes itself to set it. When this test
    /// process ignores SIGINT (a non-interactive shell started it in the background), the CLI would
    /// inherit that and — like any Unix program, and as .NET does — keep SIGINT ignored; `env --default-signal=INT`
    /// (coreutils ≥ 8.31) then gives it SIGINT's default disposition, as a terminal user's process has, and execs it
    /// in place (same PID).
    /// </summary>
    static (Process Process, StringWriter Out, StringWriter Err) Start(string[] args)
    {
        string cli = Path.Combine(AppContext.BaseDirectory, "VisionGrpo.Cli");
        bool sigintIgnored = SigintIgnoredHere();
        var start = new ProcessStartInfo(sigintIgnored ? "env" : cli)
        {
            RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false,
        };
        if (sigintIgnored) { start.ArgumentList.Add("--default-signal=INT"); start.ArgumentList.Add(cli); }
        foreach (var a in args) start.ArgumentList.Add(a);
        start.Environment.Remove("GLIBC_TUNABLES");
        start.Environment.Remove("VISIONGRPO_NO_RELAUNCH");
        var process = Process.Start(start)!;
        var (stdout, stderr) = (new StringWriter(), new StringWriter());
        process.OutputDataReceived += (_, e) => { lock (stdout) stdout.WriteLine(e.Data); };
        process.ErrorDataReceived += (_, e) => { lock (stderr) stderr.WriteLine(e.Data); };
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        return (process, stdout, stderr);
    }

    static void WaitForFirstStep(Process process, StringWriter stdout, StringWriter stderr)
    {
        var clock = Stopwatch.StartNew();
        while (!Text(stdout).Contains("{'loss': "))
        {
            Assert.False(process.HasExited, $"the run ended early: {Text(stderr)}");
            Assert.True(clock.Elapsed < TimeSpan.FromMinutes(3), "no training step within 3 minutes");
            Thread.Sleep(100);
        }
    }

    /// <summary>Whether SIGINT is ignored in this process (bit 1 of SigIgn in /proc/self/status).</summary>
    static bool SigintIgnoredHere()
    {
        string line = File.ReadLines("/proc/self/status").First(l => l.StartsWith("SigIgn:", StringComparison.Ordinal));
        return (Convert.ToUInt64(line["SigIgn:".Length..].Trim(), 16) & (1UL << (SigInt - 1))) != 0;
    }

    static string Text(StringWriter w) { lock (w) return w.ToString(); }

    static string Tail(string text) => text.Length <= 2000 ? text : text[^2000..];

    /// <summary>Processes whose command line names <paramref name="marker"/> (the run's unique output folder).</summary>
    static List<int> ProcessesNaming(string marker) =>
        Directory.EnumerateDirectories("/proc").Select(Path.GetFileName).Where(n => n!.All(char.IsAsciiDigit)).Select(int.Parse!)
            .Where(pid =>
            {
                try { return File.ReadAllText($"/proc/{pid}/cmdline").Contains(marker, StringComparison.Ordinal); }
                catch (IOException) { return false; }
                catch (UnauthorizedAccessException) { return false; }
            }).ToList();

    static void AssertNoneRemainWithin10s(string marker)
    {
        var clock = Stopwatch.StartNew();
        while (ProcessesNaming(marker) is { Count: > 0 } left)
        {
            Assert.True(clock.Elapsed < TimeSpan.FromSeconds(10), $"still running 10 s later: pids {string.Join(", ", left)}");
            Thread.Sleep(200);
        }
    }

    [Fact]
    public void Sigterm_stops_at_a_step_with_a_checkpoint_and_a_second_writer_is_refused_meanwhile()
    {
        string output = Path.Combine(fixture.Root, "sigterm-" + Guid.NewGuid().ToString("N")[..8]);
        var (process, stdout, stderr) = Start(TrainArgs(output));
        using var _ = process;
        WaitForFirstStep(process, stdout, stderr);

        // One process, re-executed in place with the tunable set: the PID we hold is the one training.
        Assert.Contains("GLIBC_TUNABLES=glibc.malloc.hugetlb=1", File.ReadAllText($"/proc/{process.Id}/environ").Split('\0'));
        Assert.Equal([process.Id], ProcessesNaming(output));

        // A second writer on the same output_dir, while the first trains: refused, one error line.
        var root = new System.CommandLine.RootCommand();
        root.Options.Add(CliOptions.Verbose);
        root.Subcommands.Add(TrainCommand.Create());
        var (secondOut, secondErr) = (new StringWriter(), new StringWriter());
        Assert.Equal(1, CliRunner.Run(root, TrainArgs(output), secondOut, secondErr));
        Assert.Contains("is in use by another training run", secondErr.ToString());

        Assert.Equal(0, Kill(process.Id, SigTerm));
        Assert.True(process.WaitForExit(TimeSpan.FromMinutes(2)), "SIGTERM did not stop the run");
        Assert.Equal(128 + SigTerm, process.ExitCode);
        process.WaitForExit(); // drain the output
        Assert.Contains("training stopped on request at step", Text(stderr));
        var checkpoints = Directory.GetDirectories(output, "checkpoint-*");
        Assert.Single(checkpoints);
        Assert.True(File.Exists(Path.Combine(checkpoints[0], "trainer_state.json")));
        AssertNoneRemainWithin10s(output);
    }

    [Fact]
    public void Kill_9_of_the_visible_pid_leaves_no_process_behind()
    {
        string output = Path.Combine(fixture.Root, "sigkill-" + Guid.NewGuid().ToString("N")[..8]);
        var (process, stdout, stderr) = Start(TrainArgs(output));
        using var _ = process;
        WaitForFirstStep(process, stdout, stderr);
        Assert.Equal(0, Kill(process.Id, SigKill));
        AssertNoneRemainWithin10s(output);
    }

    [Fact]
    public void A_second_sigint_exits_at_once_with_130()
    {
        string output = Path.Combine(fixture.Root, "sigint-" + Guid.NewGuid().ToString("N")[..8]);
        // Longer completions make a step last long enough that the second signal lands inside it, before the
        // graceful stop the first one asked for could end the run on its own.
        var (process, stdout, stderr) = Start(TrainArgs(output, completionLength: 64));
        using var _ = process;
        WaitForFirstStep(process, stdout, stderr);
        Assert.Equal(0, Kill(process.Id, SigInt));
        var clock = Stopwatch.StartNew();
        while (!Text(stderr).Contains("received SIGINT"))
        {
            // The message says what the process was doing if the acknowledgement never comes.
            Assert.True(clock.Elapsed < TimeSpan.FromSeconds(30),
                $"the first SIGINT was not acknowledged within 30 s (exited: {process.HasExited}{(process.HasExited ? $", code {process.ExitCode}" : "")})\nstderr:\n{Text(stderr)}\nstdout tail:\n{Tail(Text(stdout))}");
            Thread.Sleep(10);
        }
        Assert.Equal(0, Kill(process.Id, SigInt));
        Assert.True(process.WaitForExit(TimeSpan.FromSeconds(10)), "a second SIGINT did not exit at once");
        Assert.Equal(128 + SigInt, process.ExitCode);
        process.WaitForExit(); // drain the output
        Assert.DoesNotContain("training stopped on request", Text(stderr)); // the immediate exit, not the graceful one
        AssertNoneRemainWithin10s(output);
    }
}
