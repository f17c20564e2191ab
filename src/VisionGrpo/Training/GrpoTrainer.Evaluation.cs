using System.Diagnostics;
using VisionGrpo.Data.Validation;
using VisionGrpo.Training.Evaluation;

namespace VisionGrpo.Training;

public sealed partial class GrpoTrainer
{
    Evaluator? _evaluator;

    /// <summary>
    /// Evaluation on the held-out split (<c>eval_strategy</c>/<c>eval_steps</c>): completions sampled like the rollouts
    /// (<c>num_generations</c> per row, adapters' dropout off), scored by the same reward functions; logged as
    /// <c>eval_*</c> keys (TensorBoard <c>eval/*</c>) with <c>eval_runtime</c>, like the Trainer's evaluate().
    /// </summary>
    public EvaluationResult EvaluateNow(CancellationToken ct = default)
    {
        var (evaluator, test) = HeldOut();
        var watch = Stopwatch.StartNew();
        var generation = _generation with { Seed = RoundSeed(_args.Seed, -1 - _state.GlobalStep) };
        var result = evaluator.Evaluate(test, generation, _args.NumGenerationsEval ?? _plan.NumGenerations, _args.PerDeviceEvalBatchSize, cancellationToken: ct);
        _timings.Evaluation += watch.Elapsed.TotalSeconds;
        WarnSkipped(result);
        return result;
    }

    (Evaluator Evaluator, Data.Dataset Test) HeldOut()
    {
        if (_data.Test is null) throw new ConfigException("no evaluation split: pass an eval dataset (in a recipe: set test_size or dataset_test_split).");
        _evaluator ??= new Evaluator(_policy.Model, _policy.Text.Tokenizer, _prompts, _rewards) { FailOnBadRow = _args.BadRows == BadRowPolicy.Fail };
        return (_evaluator, _data.Test);
    }

    void Evaluate(CancellationToken ct)
    {
        var result = EvaluateNow(ct);
        var logs = result.Metrics.Select(kv => new KeyValuePair<string, object?>("eval_" + kv.Key, double.IsNaN(kv.Value) ? null : kv.Value)).ToList();
        if (result.SkippedRows.Count > 0) logs.Add(new("eval_skipped_rows", result.SkippedRows.Count));
        logs.Add(new("eval_runtime", Math.Round(result.Seconds, 4)));
        var entry = _state.AddLog(logs);
        _loggers?.Write(entry, _state.GlobalStep);
        _events.Log?.Invoke(entry);
    }

    /// <summary>
    /// One greedy completion for the first held-out row with the current policy (the recipe's generate_with_reasoning):
    /// the text, its rewards, and — in <see cref="EvaluationResult.Seconds"/> terms — how long it took.
    /// </summary>
    public EvaluationSample GenerateSample(CancellationToken ct = default)
    {
        var (evaluator, test) = HeldOut();
        var greedy = _generation with { DoSample = false };
        var result = evaluator.Evaluate(test, greedy, numGenerations: 1, batchSize: 1, limit: 1, cancellationToken: ct);
        LastSampleSeconds = result.Seconds;
        WarnSkipped(result);
        return result.Samples.Count > 0 ? result.Samples[0]
            : throw new InvalidDataException($"no usable held-out row for the sample generation: {string.Join("; ", result.SkippedRows)}");
    }

    // Held-out rows that failed when their prompt was built were skipped (and counted), not fatal: say which.
    void WarnSkipped(EvaluationResult result)
    {
        foreach (var row in result.SkippedRows) _events.Warning?.Invoke($"skipped an evaluation row that cannot be used: {row}");
    }

    /// <summary>Seconds the last <see cref="GenerateSample"/> took.</summary>
    public double LastSampleSeconds { get; private set; }
}
