using System.Text.Json.Nodes;
using VisionGrpo.Recipes;
using VisionGrpo.Training;
using VisionGrpo.Training.Checkpoints;
using VisionGrpo.Training.Optim;
using Xunit;

namespace VisionGrpo.Tests.Training.Trainer;

/// <summary>Full fine-tuning with bf16 weights: fp32 masters are checkpointed and resuming continues exactly.</summary>
[Collection(GlobalRngCollection.Name)]
public sealed class Bf16FullFineTuningTests(TrainerFixture fixture) : IClassFixture<TrainerFixture>
{
    readonly string _out = Path.Combine(fixture.Root, "bf16-full-" + Guid.NewGuid().ToString("N")[..8]);

    static readonly string[] Overrides = ["use_peft=false", "bf16=true", "learning_rate=1e-4", "trl_compat=0.20", "max_steps=3"];

    static List<string> Lines(string dir) => RunLogs.MetricsLines(dir).Select(RunLogs.WithoutTimings).ToList();

    [Fact]
    public void TrainsSavesMastersAndResumesExactly()
    {
        string whole = _out + "-whole";
        using (var trainer = fixture.Recipe(whole, Overrides).ToGrpoTrainer(rewards: [new TextLengthReward()]))
            trainer.Train(TestContext.Current.CancellationToken);
        string checkpoint = new CheckpointStore(whole).PathFor(2);
        Assert.True(File.Exists(Path.Combine(checkpoint, AdamWOptimizer.StateFileName + MixedPrecisionOptimizer.MastersSuffix)));
        Assert.Contains("\"bfloat16\"", File.ReadAllText(Path.Combine(checkpoint, "config.json")));
        Assert.All(Lines(whole).Take(3), l => Assert.DoesNotContain("NaN", l));

        using var cancel = CancellationTokenSource.CreateLinkedTokenSource(TestContext.Current.CancellationToken);
        var events = new TrainerEvents { Info = line => { if (line.Contains("checkpoint-2")) cancel.Cancel(); } };
        using (var first = fixture.Recipe(_out, Overrides).ToGrpoTrainer(events, [new TextLengthReward()]))
            Assert.Throws<TrainingStoppedException>(() => first.Train(cancel.Token));
        using (var resumed = fixture.Recipe(_out, [.. Overrides, "resume_from_checkpoint=true"]).ToGrpoTrainer(rewards: [new TextLengthReward()]))
            resumed.Train(TestContext.Current.CancellationToken);
        Assert.Equal(Lines(whole).SkipLast(1), Lines(_out).SkipLast(1));
    }
}
