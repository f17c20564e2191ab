using System.Text.Json.Nodes;
using VisionGrpo.Lora;
using VisionGrpo.Models;
using VisionGrpo.Recipes;
using VisionGrpo.Training;
using VisionGrpo.Training.Checkpoints;
using Xunit;

namespace VisionGrpo.Tests.Training.Trainer;

/// <summary>End to end: a few GRPO steps on a tiny random VLM, its logs, checkpoints, crash safety and exact resume.</summary>
[Collection(GlobalRngCollection.Name)]
public sealed class GrpoTrainerTests(TrainerFixture fixture) : IClassFixture<TrainerFixture>, IDisposable
{
    readonly string _out = Path.Combine(fixture.Root, "run-" + Guid.NewGuid().ToString("N")[..8]);

    public void Dispose() => CheckpointStore.BeforeCommit = null;

    IReadOnlyDictionary<string, object?> Train(string output, params string[] overrides)
    {
        using var trainer = fixture.Recipe(output, overrides).ToGrpoTrainer(rewards: [new TextLengthReward()]);
        return trainer.Train(TestContext.Current.CancellationToken);
    }

    [Fact]
    public void FewStepsLogCheckpointAndSaveTheAdapter()
    {
        var summary = Train(_out);
        Assert.Equal(4L, Convert.ToInt64(summary["step"]));

        var lines = RunLogs.MetricsLines(_out);
        Assert.Equal(5, lines.Count);  // one per step (logging_steps 1) + the train summary
        foreach (var line in lines.Take(4))
        {
            Assert.True(double.IsFinite(line["loss"]!.GetValue<double>()));
            Assert.True(line["grad_norm"]!.GetValue<double>() > 0, "the varying reward gives a gradient");
            foreach (string key in new[] { "reward", "reward_std", "rewards/length_reward/mean", "completions/mean_length", "frac_reward_zero_std", "entropy", "learning_rate", "epoch", "num_tokens" })
                Assert.True(line.ContainsKey(key), $"missing {key}");
        }
        Assert.Equal(new[] { 1L, 2, 3, 4 }, lines.Take(4).Select(l => l["step"]!.GetValue<long>()));

        // TensorBoard: framing and CRCs check out, train/loss at every step.
        string runs = Path.Combine(_out, "runs");
        string events = Directory.EnumerateFiles(runs, "events.out.tfevents.*", SearchOption.AllDirectories).Single();
        var scalars = TensorBoardReader.ReadEvents(events).SelectMany(e => e.Values.Select(v => (e.Step, v.Tag))).ToList();
        Assert.Equal(new long[] { 1, 2, 3, 4 }, scalars.Where(s => s.Tag == "train/loss").Select(s => s.Step));
        Assert.Contains(scalars, s => s.Tag == "train/rewards/length_reward/mean");

        var store = new CheckpointStore(_out);
        Assert.Equal(new long[] { 2, 4 }, store.List().Select(c => c.Step));
        foreach (string file in new[] { "adapter_model.safetensors", "adapter_config.json", "optimizer.torchsharp", "scheduler.json", "trainer_state.json", "trainer_progress.json", "tokenizer.json" })
            Assert.True(File.Exists(Path.Combine(store.PathFor(2), file)), file);
        var state = JsonNode.Parse(File.ReadAllText(Path.Combine(store.PathFor(4), "trainer_state.json")))!;
        Assert.Equal(4, state["global_step"]!.GetValue<long>());
        Assert.Equal(4, state["log_history"]!.AsArray().Count);

        using var model = ModelFolder.Load(fixture.Model);
        using var peft = PeftModel.Load(model, _out);
        Assert.NotEmpty(peft.NamedAdapterParameters());
    }

    [Fact]
    public void SameSeedGivesIdenticalMetrics()
    {
        string other = _out + "-again";
        Train(_out, "max_steps=2", "trl_compat=0.20");
        Train(other, "max_steps=2", "trl_compat=0.20");

        Assert.Equal(RunLogs.MetricsLines(_out).Select(RunLogs.WithoutTimings), RunLogs.MetricsLines(other).Select(RunLogs.WithoutTimings));
    }

    [Fact]
    public void ResumingContinuesExactlyLikeAnUninterruptedRun()
    {
        string whole = _out + "-whole";
        Train(whole);

        // A stop request (SIGTERM in the CLI) during step 3, which is not a save step: the run finishes the step,
        // writes checkpoint-3 and stops; resuming from it continues exactly.
        using var cancel = CancellationTokenSource.CreateLinkedTokenSource(TestContext.Current.CancellationToken);
        var recipe = fixture.Recipe(_out);
        using (var first = recipe.ToGrpoTrainer(new TrainerEvents { Step = s => { if (s.Step == 3) cancel.Cancel(); } }, [new TextLengthReward()]))
        {
            var stopped = Assert.Throws<TrainingStoppedException>(() => first.Train(cancel.Token));
            Assert.Equal(3, stopped.Step);
            Assert.Equal(new CheckpointStore(_out).PathFor(3), stopped.Checkpoint);
        }
        Assert.Equal(new long[] { 2, 3 }, new CheckpointStore(_out).List().Select(c => c.Step));
        Assert.Equal(3, RunLogs.MetricsLines(_out).Count);

        Train(_out, "resume_from_checkpoint=true");
        Assert.Equal(RunLogs.MetricsLines(whole).SkipLast(1).Select(RunLogs.WithoutTimings), RunLogs.MetricsLines(_out).SkipLast(1).Select(RunLogs.WithoutTimings));
    }

    [Fact]
    public void ACrashWhileSavingLeavesThePreviousCheckpointIntact()
    {
        CheckpointStore.BeforeCommit = temp => { if (temp.Contains("checkpoint-4")) throw new IOException("simulated crash while writing the checkpoint"); };
        Assert.Throws<IOException>(() => Train(_out));
        CheckpointStore.BeforeCommit = null;

        var store = new CheckpointStore(_out);
        Assert.Equal(new long[] { 2 }, store.List().Select(c => c.Step));
        Assert.False(Directory.Exists(store.PathFor(4)));
        using (var model = ModelFolder.Load(fixture.Model))
        using (var peft = PeftModel.Load(model, store.PathFor(2)))
            Assert.NotEmpty(peft.NamedAdapterParameters());

        // The next run cleans the half-written folder up and resumes from checkpoint-2.
        var summary = Train(_out, "resume_from_checkpoint=true");
        Assert.Equal(4L, Convert.ToInt64(summary["step"]));
        Assert.DoesNotContain(Directory.EnumerateDirectories(_out), d => Path.GetFileName(d).StartsWith(".tmp-", StringComparison.Ordinal));
    }

    [Fact]
    public void EvaluationStepsLogEvalMetricsOnTheHeldOutRows()
    {
        Train(_out, "max_steps=2", "eval_strategy=steps", "eval_steps=2", "save_strategy=no");
        var eval = RunLogs.MetricsLines(_out).Single(l => l.ContainsKey("eval_reward"));
        Assert.Equal(2, eval["step"]!.GetValue<long>());
        Assert.True(eval.ContainsKey("eval_rewards/length_reward/mean"));
        Assert.True(eval["eval_runtime"]!.GetValue<double>() > 0);
    }

    [Fact]
    public void DynamicSamplingLogsTheDroppedShareAndTheRoundsItTook()
    {
        Train(_out, "max_steps=2", "dynamic_sampling=true", "max_dynamic_sampling_rounds=2", "save_strategy=no");
        foreach (var line in RunLogs.MetricsLines(_out).SkipLast(1))
        {
            double rounds = line["dynamic_sampling/rounds"]!.GetValue<double>();
            Assert.InRange(rounds, 1, 3);
            Assert.InRange(line["frac_reward_zero_std"]!.GetValue<double>(), 0, 1);
        }
    }

    [Fact]
    public void ANonFiniteLossStopsWithTheStepOrIsSkippedWhenAsked()
    {
        // An infinite reward makes TRL 0.20's advantages NaN (inf - inf), hence a NaN loss.
        var recipe = fixture.Recipe(_out, "trl_compat=0.20", "max_steps=2", "save_strategy=no");
        using (var trainer = recipe.ToGrpoTrainer(rewards: [new InfiniteReward()]))
        {
            var e = Assert.Throws<TrainingDivergedException>(() => trainer.Train(TestContext.Current.CancellationToken));
            Assert.Contains("step 1", e.Message);
            Assert.Contains("skip_nonfinite_steps", e.Message);
        }
        var warnings = new List<string>();
        var skipping = fixture.Recipe(_out + "-skip", "trl_compat=0.20", "max_steps=2", "save_strategy=no", "skip_nonfinite_steps=true");
        using (var trainer = skipping.ToGrpoTrainer(new TrainerEvents { Warning = warnings.Add }, [new InfiniteReward()]))
            Assert.Equal(2L, Convert.ToInt64(trainer.Train(TestContext.Current.CancellationToken)["step"]));
        Assert.Equal(2, warnings.Count(w => w.Contains("update skipped")));
        // Skipped steps show what happened (NaN, as TRL would) and how often, not a reassuring 0.0.
        var logged = File.ReadAllLines(Path.Combine(_out + "-skip", "metrics.jsonl"));
        Assert.Contains("\"loss\": NaN", logged[0]);
        Assert.Contains("\"grad_norm\": NaN", logged[0]);
        Assert.Contains("\"skipped_nonfinite_steps\": 1", logged[0]);
        Assert.Contains("\"skipped_nonfinite_steps\": 2", logged[1]);
    }

    sealed class InfiniteReward : VisionGrpo.Rewards.IRewardFunction
    {
        public string Name => "infinite_reward";
        public float Weight => 1f;
        public float?[] Score(VisionGrpo.Rewards.RewardBatch batch, CancellationToken cancellationToken = default) =>
            batch.Completions.Select(_ => (float?)float.PositiveInfinity).ToArray();
    }

    [Fact]
    public void EpochCountsTheUsedShareOfARoundThatServesSeveralSteps()
    {
        // generation_batch_size 8 with batch 4: each round (2 prompts of the 10 training rows, 5 rounds an epoch)
        // serves two optimizer steps, so step 1 is half a round in.
        Train(_out, "max_steps=2", "generation_batch_size=8", "save_strategy=no");
        Assert.Equal(new[] { 0.1, 0.2 }, RunLogs.MetricsLines(_out).SkipLast(1).Select(l => l["epoch"]!.GetValue<double>()));
    }

    [Fact]
    public void SaveTotalLimitKeepsTheNewestCheckpoints()
    {
        Train(_out, "max_steps=3", "save_steps=1", "save_total_limit=2", "logging_steps=10");
        Assert.Equal(new long[] { 2, 3 }, new CheckpointStore(_out).List().Select(c => c.Step));
    }

    [Fact]
    public void ResumeWithoutACheckpointIsAClearError()
    {
        var e = Assert.Throws<DirectoryNotFoundException>(() => Train(_out, "resume_from_checkpoint=true"));
        Assert.Contains("checkpoint", e.Message);
    }
}
