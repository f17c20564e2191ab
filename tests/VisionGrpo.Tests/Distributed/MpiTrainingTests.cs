using System.Diagnostics;
using System.Globalization;
using System.Runtime.InteropServices;
using System.Text.Json.Nodes;

namespace VisionGrpo.Tests.Distributed;

/// <summary>
/// The runs the MPI tests compare, made once: the demo model for 4 steps on one process with
/// per_device_train_batch_size 16, and on two ranks (<c>mpirun -np 2</c>) with 8 each (the same global batch),
/// checkpointing at step 2; and a pair whose prompt groups span the ranks and whose rounds serve two optimizer steps
/// (<see cref="SplitGroupArgs"/>).
/// </summary>
public sealed class MpiRunsFixture : IDisposable
{
    public string Root { get; } = Directory.CreateTempSubdirectory("vg-mpi-").FullName;
    readonly Lazy<(string One, string Two, string TwoConsole)> _runs;

    public MpiRunsFixture()
    {
        _splitGroups = new(RunSplitGroups);
        _runs = new(RunDemoPair);
    }

    (string One, string Two, string TwoConsole) RunDemoPair()
    {
        string one = Path.Combine(Root, "one"), two = Path.Combine(Root, "two");
        var (code, stdout, stderr) = MpiRun.RunAlone(Root, new Dictionary<string, string> { ["VISIONGRPO_THREADS"] = "1" }, TimeSpan.FromMinutes(5),
            [.. TrainArgs(one), "--set", "per_device_train_batch_size=16"]);
        Assert.True(code == 0, $"one process: exit {code}\n{stdout}\n{stderr}");
        (code, stdout, stderr) = MpiRun.Run(2, Root, TimeSpan.FromMinutes(5),
            [.. TrainArgs(two), "--set", "per_device_train_batch_size=8", "--set", "save_strategy=steps", "--set", "save_steps=2"]);
        Assert.True(code == 0, $"two ranks: exit {code}\n{stdout}\n{stderr}");
        return (one, two, stdout);
    }

    /// <summary>
    /// The demo, 4 steps, short completions, a log line per step, no report or TensorBoard. The learning rate is the
    /// demo's ÷ 50: one and two processes sum gradients in different orders, and the weights' last-bit differences
    /// that leaves, scaled by the learning rate, may flip a sampled token a few steps later (then every metric after
    /// it differs); a smaller step keeps that chance negligible without changing what is compared.
    /// </summary>
    public static string[] TrainArgs(string output) =>
    [
        "train", "--set", $"output_dir={output}", "--set", "max_steps=4", "--set", "logging_steps=1", "--set", "learning_rate=1e-5",
        "--set", "before_after_eval=false", "--set", "max_completion_length=32", "--set", "report_to=[]",
    ];

    /// <summary>
    /// 3 prompts x 4 completions per round, each round serving 2 optimizer steps (steps_per_generation 2; one process:
    /// per_device_train_batch_size 6; two ranks: 3 each). Rank 0 samples prompt 0 and half of prompt 1, rank 1 the
    /// rest; each step trains the rows one process's step trains, wherever they were sampled, with old log-probs
    /// from the rank that trains them; top_entropy_quantile 0.5 takes its threshold over both ranks' entropies; 4 steps. LoRA dropout is on,
    /// in the language model and the vision tower's qkv (so scoring runs the vision tower on each row's pixels): the
    /// scoring passes' masks, per text row and per image, must follow the completions across ranks, and a prompt's
    /// rollout embeddings must not depend on the rank embedding it. (At step 1 a fresh adapter's B is zero, so
    /// dropout changes nothing then; from step 2 on it does. SamplingTests and VisionDropoutKeyingTests check the
    /// keying itself with non-zero adapters.)
    /// </summary>
    public static string[] SplitGroupArgs(string output, int batch) =>
    [
        .. TrainArgs(output), "--set", "num_generations=4", "--set", "steps_per_generation=2", "--set", "top_entropy_quantile=0.5", "--set", "lora_dropout=0.05",
        "--set", "lora_target_modules=[q_proj,v_proj,qkv]", "--set", $"per_device_train_batch_size={batch}",
    ];

    /// <summary>The one-process and two-rank output folders of the split-group pair (run on first use).</summary>
    public (string One, string Two) SplitGroups => _splitGroups.Value;
    readonly Lazy<(string One, string Two)> _splitGroups;

    (string One, string Two) RunSplitGroups()
    {
        string one = Path.Combine(Root, "split-one"), two = Path.Combine(Root, "split-two");
        var (code, stdout, stderr) = MpiRun.RunAlone(Root, new Dictionary<string, string> { ["VISIONGRPO_THREADS"] = "1" }, TimeSpan.FromMinutes(5), SplitGroupArgs(one, 6));
        Assert.True(code == 0, $"one process: exit {code}\n{stdout}\n{stderr}");
        (code, stdout, stderr) = MpiRun.Run(2, Root, TimeSpan.FromMinutes(5), SplitGroupArgs(two, 3));
        Assert.True(code == 0, $"two ranks: exit {code}\n{stdout}\n{stderr}");
        return (one, two);
    }

    public string One => _runs.Value.One;
    public string Two => _runs.Value.Two;
    public string TwoConsole => _runs.Value.TwoConsole;

    public static List<JsonObject> Metrics(string dir) =>
        File.ReadAllLines(Path.Combine(dir, "metrics.jsonl")).Select(l => JsonNode.Parse(l)!.AsObject()).ToList();

    public void Dispose()
    {
        try { Directory.Delete(Root, recursive: true); } catch (IOException) { }
    }
}

/// <summary>
/// Data-parallel GRPO under <c>mpirun -np 2</c> (issue 20): two ranks log what one process logs with the same global
/// batch (same sampled completions, rewards, loss and grad norm within 1e-4), only rank 0 writes, a checkpoint made on
/// two ranks resumes on one with the same metrics, and a killed rank ends the job.
/// </summary>
[Trait("Category", MpiRun.Category)]
public sealed class MpiTrainingTests(MpiRunsFixture runs) : IClassFixture<MpiRunsFixture>
{
    static readonly string[] Timing = ["step_time", "train_runtime", "train_samples_per_second", "train_steps_per_second"];

    /// <summary>
    /// Every logged value equal: exactly for counts and rewards, within 1e-4 relative for float sums. The loss of
    /// on-policy GRPO is a sum of terms that cancel to ~0 (advantages sum to zero per group): what is left is rounding
    /// noise of the terms' size, so it is compared within 1e-6 absolute.
    /// </summary>
    static void AssertSameMetrics(List<JsonObject> expected, List<JsonObject> actual)
    {
        Assert.Equal(expected.Count, actual.Count);
        for (int i = 0; i < expected.Count; i++)
        {
            Assert.Equal(expected[i].Select(kv => kv.Key).Order(), actual[i].Select(kv => kv.Key).Order());
            foreach (var (key, value) in expected[i])
            {
                if (Timing.Contains(key)) continue;
                var other = actual[i][key];
                if (value is JsonValue v && v.TryGetValue(out double a) && other is JsonValue w && w.TryGetValue(out double b))
                {
                    bool exact = key == "reward" || key.StartsWith("rewards/", StringComparison.Ordinal) || key.StartsWith("completions/", StringComparison.Ordinal) || key == "num_tokens";
                    double tolerance = exact ? 0 : key is "loss" or "train_loss" ? Math.Max(1e-4 * Math.Abs(a), 1e-6) : 1e-4 * Math.Max(Math.Abs(a), 1e-6);
                    Assert.True(Math.Abs(a - b) <= tolerance, $"entry {i} (step {expected[i]["step"]}): {key} = {a.ToString("R", CultureInfo.InvariantCulture)} vs {b.ToString("R", CultureInfo.InvariantCulture)}");
                }
                else Assert.Equal(value?.ToJsonString(), other?.ToJsonString());
            }
        }
    }

    [Fact]
    public void Two_ranks_log_what_one_process_logs_with_twice_the_per_device_batch()
    {
        var one = MpiRunsFixture.Metrics(runs.One);
        var two = MpiRunsFixture.Metrics(runs.Two);
        AssertSameMetrics(one, two);
        // The comparison means something: the policy learned (non-zero gradients) and the rewards varied.
        Assert.Contains(one.Take(4), e => (double)e["grad_norm"]! > 0);
        Assert.Contains(one.Take(4), e => (double)e["frac_reward_zero_std"]! < 1);
        // Rank 0 alone talks and writes: each step's log line once, one final adapter.
        // Counted as occurrences, not line starts: mpirun forwards each rank's output in chunks as they come, so a
        // line of rank 0 may follow a partial line of the launcher or of rank 1 (one CI run saw 3 line starts of 4).
        int logLines = System.Text.RegularExpressions.Regex.Count(runs.TwoConsole, @"\{'loss': ");
        Assert.True(logLines == 4, $"expected 4 log lines, saw {logLines}:\n{runs.TwoConsole}");
        Assert.Contains("2 ranks (Open MPI", runs.TwoConsole);
        Assert.True(File.Exists(Path.Combine(runs.Two, "adapter_model.safetensors")));
        Assert.True(Directory.Exists(Path.Combine(runs.Two, "checkpoint-2")));
    }

    [Fact]
    public void Groups_that_span_ranks_and_rounds_that_serve_two_optimizer_steps_log_what_one_process_logs()
    {
        var (oneDir, twoDir) = runs.SplitGroups;
        var one = MpiRunsFixture.Metrics(oneDir);
        AssertSameMetrics(one, MpiRunsFixture.Metrics(twoDir));
        Assert.Contains(one, e => (double)e["grad_norm"]! > 0);
        Assert.Contains(one, e => (double)e["frac_reward_zero_std"]! < 1);
    }

    [Fact]
    public void A_two_rank_checkpoint_resumes_on_one_process_with_the_same_metrics()
    {
        string resumed = Path.Combine(runs.Root, "resumed-" + Guid.NewGuid().ToString("N")[..8]);
        Directory.CreateDirectory(resumed);
        CopyDirectory(Path.Combine(runs.Two, "checkpoint-2"), Path.Combine(resumed, "checkpoint-2"));
        File.Copy(Path.Combine(runs.Two, "metrics.jsonl"), Path.Combine(resumed, "metrics.jsonl"));

        var (code, stdout, stderr) = MpiRun.RunAlone(runs.Root, new Dictionary<string, string> { ["VISIONGRPO_THREADS"] = "1" }, TimeSpan.FromMinutes(5),
            [.. MpiRunsFixture.TrainArgs(resumed), "--set", "per_device_train_batch_size=16", "--set", "resume_from_checkpoint=true"]);
        Assert.True(code == 0, $"exit {code}\n{stdout}\n{stderr}");
        Assert.Contains("resuming from", stdout);
        AssertSameMetrics(MpiRunsFixture.Metrics(runs.One), MpiRunsFixture.Metrics(resumed));
    }

    [DllImport("libc", EntryPoint = "kill")]
    static extern int Kill(int pid, int signal);

    [Fact]
    public void A_killed_rank_ends_the_training_job_within_seconds()
    {
        string output = Path.Combine(runs.Root, "killed-" + Guid.NewGuid().ToString("N")[..8]);
        using var job = LongJob.Start(runs.Root, output);
        Assert.Equal(0, Kill(RankPid(output, 1), 9));
        Assert.True(job.Process.WaitForExit(TimeSpan.FromSeconds(30)), "the job still runs 30 s after rank 1 was killed");
        job.Process.WaitForExit();
        Assert.NotEqual(0, job.Process.ExitCode);
        Assert.Contains("exited on signal 9", job.Output);
    }

    [Fact]
    public void Sigterm_to_one_rank_stops_every_rank_at_the_same_step_with_a_checkpoint()
    {
        string output = Path.Combine(runs.Root, "sigterm-" + Guid.NewGuid().ToString("N")[..8]);
        using var job = LongJob.Start(runs.Root, output);
        Assert.Equal(0, Kill(RankPid(output, 1), 15)); // rank 0 never sees the signal: it learns it at the step's allreduce
        Assert.True(job.Process.WaitForExit(TimeSpan.FromMinutes(2)), "the job did not stop within 2 minutes of SIGTERM");
        job.Process.WaitForExit();
        Assert.Equal(143, job.Process.ExitCode);
        Assert.DoesNotContain("MPI_ABORT", job.Output);
        var checkpoint = Assert.Single(Directory.GetDirectories(output, "checkpoint-*"));
        Assert.Contains($"training stopped on request at step {Path.GetFileName(checkpoint)["checkpoint-".Length..]};", job.Output);
        Assert.True(File.Exists(Path.Combine(checkpoint, "trainer_state.json")));
    }

    /// <summary>A 2-rank run of many steps, started and waited on until its first step is logged.</summary>
    sealed class LongJob : IDisposable
    {
        readonly System.Text.StringBuilder _output = new();
        public required Process Process { get; init; }
        public string Output { get { lock (_output) return _output.ToString(); } }

        public static LongJob Start(string workDir, string output)
        {
            Assert.True(MpiRun.Mpirun.Length > 0, "mpirun is not on PATH: install Open MPI (apt-get install -y openmpi-bin libopenmpi-dev).");
            var start = new ProcessStartInfo(MpiRun.Mpirun) { WorkingDirectory = workDir, RedirectStandardOutput = true, RedirectStandardError = true };
            foreach (var a in new[] { "--allow-run-as-root", "--oversubscribe", "-np", "2", MpiRun.Cli }) start.ArgumentList.Add(a);
            foreach (var a in MpiRunsFixture.TrainArgs(output)) start.ArgumentList.Add(a);
            foreach (var a in new[] { "--set", "max_steps=1000", "--set", "per_device_train_batch_size=8", "--set", "max_completion_length=16" }) start.ArgumentList.Add(a);
            MpiRun.Configure(start.Environment);
            var job = new LongJob { Process = Process.Start(start)! };
            job.Process.OutputDataReceived += (_, e) => { lock (job._output) job._output.AppendLine(e.Data); };
            job.Process.ErrorDataReceived += (_, e) => { lock (job._output) job._output.AppendLine(e.Data); };
            job.Process.BeginOutputReadLine();
            job.Process.BeginErrorReadLine();
            var clock = Stopwatch.StartNew();
            while (!job.Output.Contains("{'loss': "))
            {
                Assert.False(job.Process.HasExited, $"the job ended before its first step: {job.Output}");
                Assert.True(clock.Elapsed < TimeSpan.FromMinutes(3), "no training step within 3 minutes");
                Thread.Sleep(100);
            }
            return job;
        }

        public void Dispose()
        {
            if (!Process.HasExited) Process.Kill(entireProcessTree: true);
            Process.Dispose();
        }
    }

    /// <summary>The PID of rank <paramref name="rank"/> of the job writing <paramref name="output"/>.</summary>
    static int RankPid(string output, int rank)
    {
        foreach (var dir in Directory.EnumerateDirectories("/proc"))
        {
            if (!int.TryParse(Path.GetFileName(dir), out int pid)) continue;
            try
            {
                if (!File.ReadAllText(Path.Combine(dir, "cmdline")).Contains(output, StringComparison.Ordinal)) continue;
                if (File.ReadAllText(Path.Combine(dir, "environ")).Split('\0').Contains($"OMPI_COMM_WORLD_RANK={rank}")) return pid;
            }
            catch (IOException) { }
            catch (UnauthorizedAccessException) { }
        }
        throw new InvalidOperationException($"no process of rank {rank} names {output}");
    }

    static void CopyDirectory(string from, string to)
    {
        Directory.CreateDirectory(to);
        foreach (var file in Directory.GetFiles(from)) File.Copy(file, Path.Combine(to, Path.GetFileName(file)));
        foreach (var dir in Directory.GetDirectories(from)) CopyDirectory(dir, Path.Combine(to, Path.GetFileName(dir)));
    }
}
