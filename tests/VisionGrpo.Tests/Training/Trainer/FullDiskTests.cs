using System.Text.Json.Nodes;
using VisionGrpo.Training;
using VisionGrpo.Training.Logging;
using VisionGrpo.Recipes;

namespace VisionGrpo.Tests.Training.Trainer;

/// <summary>
/// Issue 18: "No space left on device" anywhere a run writes (logs, TensorBoard, trainer state, the final model,
/// the summary) names the file and the step, and what was written before stays intact.
/// </summary>
[Collection(GlobalRngCollection.Name)]
public sealed class FullDiskTests(TrainerFixture fixture) : IClassFixture<TrainerFixture>
{
    readonly string _out = Path.Combine(fixture.Root, "disk-" + Guid.NewGuid().ToString("N")[..8]);

    /// <summary>What Linux's write(2) gives on a full disk: ENOSPC (28), which .NET reports as the HResult.</summary>
    internal static IOException DiskFull(string path) => new($"No space left on device : '{path}'", 28);

    /// <summary>Runs <paramref name="run"/> with every write of a path that <paramref name="fails"/> matches at <paramref name="step"/> failing as a full disk.</summary>
    internal static OutputWriteException RunWithFullDisk(Func<string, bool> fails, long step, Action run)
    {
        OutputWrite.BeforeWrite = (path, at) => { if (at == step && fails(path)) throw DiskFull(path); };
        try { return Assert.Throws<OutputWriteException>(run); }
        finally { OutputWrite.BeforeWrite = null; }
    }

    [Theory]
    [InlineData("metrics.jsonl", 2L)]
    [InlineData("completions.jsonl", 2L)]
    [InlineData("tfevents", 2L)]
    [InlineData("trainer_state.json", 3L)]
    [InlineData("", 3L)]  // the output folder itself: the final save_model (adapter)
    public void A_full_disk_names_the_file_and_the_step_and_keeps_the_earlier_log_lines(string file, long step)
    {
        var recipe = fixture.Recipe(_out, "max_steps=3", "logging_steps=1", "save_strategy=no", "eval_strategy=no",
            "log_completions=true", "report_to=[tensorboard]", "use_peft=true", "lora_target_modules=[q_proj,v_proj]");
        bool Fails(string path) => path.StartsWith(_out, StringComparison.Ordinal)
            && (file == "" ? path.TrimEnd('/') == _out : Path.GetFileName(path).Contains(file, StringComparison.Ordinal));
        using var trainer = recipe.ToGrpoTrainer(rewards: [new TextLengthReward()]);
        var e = RunWithFullDisk(Fails, step, () => trainer.Train(TestContext.Current.CancellationToken));
        Assert.Contains($"step {step}: writing '", e.Message);
        Assert.Contains(file == "" ? $"'{_out}'" : file, e.Message);
        Assert.Contains("No space left on device", e.Message);
        Assert.Equal(28, e.InnerException!.HResult);
        // The lines written before the failure are whole and parse.
        var steps = File.ReadAllLines(Path.Combine(_out, TrainingLoggers.MetricsFileName)).Select(l => JsonNode.Parse(l)!["step"]!.GetValue<long>());
        Assert.Equal(file == "metrics.jsonl" ? [1L] : step == 2 ? [1L, 2] : [1L, 2, 3], steps.Take(3));
    }

    [Fact]
    public void A_full_disk_while_writing_the_summary_names_it_and_the_step()
    {
        using var trainer = fixture.Recipe(_out, "max_steps=1", "save_strategy=no").ToGrpoTrainer(rewards: [new TextLengthReward()]);
        var e = RunWithFullDisk(p => p.EndsWith(BeforeAfterRun.SummaryFile, StringComparison.Ordinal), 1,
            () => BeforeAfterRun.Run(trainer, _out, TestContext.Current.CancellationToken));
        Assert.Contains($"step 1: writing '{Path.Combine(_out, BeforeAfterRun.SummaryFile)}'", e.Message);
    }

    [Fact]
    public void A_real_enospc_from_dev_full_names_the_log_file_and_the_step()
    {
        // /dev/full fails every write with ENOSPC: metrics.jsonl linked to it is a full disk without root or tmpfs.
        Directory.CreateDirectory(_out);
        string metrics = Path.Combine(_out, TrainingLoggers.MetricsFileName);
        File.CreateSymbolicLink(metrics, "/dev/full");
        using var loggers = TrainingLoggers.Open(_out, tensorBoard: true, loggingDir: null, logCompletions: false, new TrainerState(), resuming: false);
        var e = Assert.Throws<OutputWriteException>(() => loggers.Write(new Dictionary<string, object?> { ["loss"] = 1.0, ["step"] = 7L }, 7));
        Assert.Contains($"step 7: writing '{metrics}'", e.Message);
        Assert.Contains("No space left on device", e.Message);
    }
}
