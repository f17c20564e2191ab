using System.Diagnostics;
using VisionGrpo.Formats;
using VisionGrpo.Training.Evaluation;
using VisionGrpo.Training.Logging;

namespace VisionGrpo.Training;

/// <summary>
/// A training run framed by two evaluations on the same held-out rows (the demo's report): evaluate, train, evaluate
/// again, generate once on the first held-out row with the trained policy (greedy, like the recipe's
/// <c>generate_with_reasoning</c>), then write <c>summary.json</c> and the reward chart into <c>output_dir</c>.
/// </summary>
public static class BeforeAfterRun
{
    /// <summary>File name of the summary in the output folder.</summary>
    public const string SummaryFile = "summary.json";
    /// <summary>File name of the reward chart in the output folder.</summary>
    public const string ChartFile = "rewards.png";

    /// <summary>Runs it; the caller prints <see cref="BeforeAfterResult"/>.</summary>
    /// <exception cref="ConfigException">The trainer has no evaluation dataset.</exception>
    public static BeforeAfterResult Run(GrpoTrainer trainer, string outputDir, CancellationToken ct = default)
    {
        var watch = Stopwatch.StartNew();
        var before = trainer.EvaluateNow(ct);
        trainer.Train(ct);
        var after = trainer.EvaluateNow(ct);
        var sample = trainer.GenerateSample(ct);
        var result = new BeforeAfterResult(Means(before), Means(after), watch.Elapsed.TotalSeconds, trainer.State.GlobalStep, sample, trainer.LastSampleSeconds);
        string summary = Path.Combine(outputDir, SummaryFile), chart = Path.Combine(outputDir, ChartFile);
        OutputWrite.Run(summary, result.Steps, () => File.WriteAllText(summary, result.ToJson() + "\n"));
        // The two evaluations join the chart as eval markers at step 0 and at the last step.
        var history = trainer.State.LogHistory.Append(EvalPoint(0, before)).Append(EvalPoint(trainer.State.GlobalStep, after)).ToList();
        OutputWrite.Run(chart, result.Steps, () => RewardChart.Save(chart, history));
        return result;
    }

    static IReadOnlyDictionary<string, object?> EvalPoint(long step, EvaluationResult r) =>
        Means(r).ToDictionary(kv => $"eval_rewards/{kv.Key}/mean", kv => (object?)kv.Value).Append(new("step", step)).ToDictionary();

    /// <summary><c>{reward name: mean}</c> of an evaluation (None values left out).</summary>
    static Dictionary<string, double> Means(EvaluationResult r) => r.Metrics
        .Where(kv => kv.Key.StartsWith("rewards/", StringComparison.Ordinal) && kv.Key.EndsWith("/mean", StringComparison.Ordinal))
        .ToDictionary(kv => kv.Key["rewards/".Length..^"/mean".Length], kv => kv.Value);
}

/// <summary>Before/after mean rewards, wall time, steps and the sample generation.</summary>
/// <param name="Before">Mean reward per function before training.</param>
/// <param name="After">The same after training.</param>
/// <param name="WallSeconds">Seconds for the whole run (both evaluations included).</param>
/// <param name="Steps">Optimizer steps reached.</param>
/// <param name="Sample">The generation on the first held-out row.</param>
/// <param name="SampleSeconds">Seconds that generation took.</param>
public sealed record BeforeAfterResult(IReadOnlyDictionary<string, double> Before, IReadOnlyDictionary<string, double> After,
    double WallSeconds, long Steps, EvaluationSample Sample, double SampleSeconds)
{
    /// <summary><c>{"before": {…}, "after": {…}, "wall_seconds": …, "steps": …, "sample": {…}}</c> (Python json style).</summary>
    public string ToJson() => PythonJson.Serialize(new Dictionary<string, object?>
    {
        ["before"] = Before.ToDictionary(kv => kv.Key, kv => (object?)kv.Value),
        ["after"] = After.ToDictionary(kv => kv.Key, kv => (object?)kv.Value),
        ["wall_seconds"] = Math.Round(WallSeconds, 1),
        ["steps"] = Steps,
        ["sample"] = new Dictionary<string, object?>
        {
            ["prompt"] = Sample.Prompt, ["completion"] = Sample.Completion, ["generated_tokens"] = Sample.CompletionTokens,
            ["seconds"] = Math.Round(SampleSeconds, 3),
            ["rewards"] = Sample.Rewards.ToDictionary(kv => kv.Key, kv => (object?)kv.Value),
        },
    }, indent: 2);
}
