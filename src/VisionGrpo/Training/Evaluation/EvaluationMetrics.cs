using VisionGrpo.Generation;

namespace VisionGrpo.Training.Evaluation;

/// <summary>
/// The evaluation metrics over all scored completions, with TRL 1.9's definitions: None rewards are left out of
/// means and stds (nanmean, Bessel-corrected nanstd, NaN with fewer than two values), a completion every function
/// left unscored has no summed reward. Computed once over the whole evaluation set in float64 (TRL averages
/// per-batch values instead, which only differs for the stds and when batches hold different numbers of Nones).
/// </summary>
internal static class EvaluationMetrics
{
    /// <summary>Σ wᵢ·rᵢ over the non-None rewards; NaN when all are None (TRL 1.9's unscorable row).</summary>
    public static double WeightedSum(IReadOnlyList<double?> values, IReadOnlyList<double> weights)
    {
        double sum = 0;
        bool any = false;
        for (int f = 0; f < values.Count; f++)
        {
            if (values[f] is not double v || double.IsNaN(v)) continue;
            sum += weights[f] * v;
            any = true;
        }
        return any ? sum : double.NaN;
    }

    /// <summary>Computes the metric dictionary (insertion order = display order).</summary>
    /// <param name="rewardNames">Reward function names, in scoring order.</param>
    /// <param name="samples">Every scored completion.</param>
    public static Dictionary<string, double> Compute(IReadOnlyList<string> rewardNames, IReadOnlyList<EvaluationSample> samples)
    {
        var metrics = new Dictionary<string, double>();
        foreach (string name in rewardNames)
        {
            var values = samples.Select(s => s.Rewards[name]).ToList();
            metrics[$"rewards/{name}/mean"] = NanMean(values);
            metrics[$"rewards/{name}/std"] = NanStd(values);
        }
        var summed = samples.Select(s => (double?)s.Reward).ToList();
        metrics["reward"] = NanMean(summed);
        metrics["reward_std"] = NanStd(summed);
        var lengths = samples.Select(s => (double)s.CompletionTokens).ToList();
        metrics["completions/mean_length"] = lengths.Count > 0 ? lengths.Average() : double.NaN;
        metrics["completions/min_length"] = lengths.Count > 0 ? lengths.Min() : double.NaN;
        metrics["completions/max_length"] = lengths.Count > 0 ? lengths.Max() : double.NaN;
        metrics["completions/clipped_ratio"] = samples.Count > 0
            ? samples.Count(s => s.FinishReason == FinishReason.Length) / (double)samples.Count
            : double.NaN;
        if (FirstNamed(rewardNames, "accuracy") is { } accuracy)
            metrics["accuracy"] = NanMean(samples.Select(s => s.Rewards[accuracy]).ToList());
        if (FirstNamed(rewardNames, "format") is { } format)
        {
            // Share of scored completions whose format reward is exactly 1 (partial-credit values do not count).
            var scored = samples.Select(s => s.Rewards[format]).Where(Valid).ToList();
            metrics["format_rate"] = scored.Count > 0 ? scored.Count(v => v == 1.0) / (double)scored.Count : double.NaN;
        }
        return metrics;
    }

    static string? FirstNamed(IReadOnlyList<string> names, string prefix) =>
        names.FirstOrDefault(n => n.StartsWith(prefix, StringComparison.OrdinalIgnoreCase));

    static bool Valid(double? v) => v is double d && !double.IsNaN(d);

    /// <summary>Mean of the valid values (NaN when none).</summary>
    public static double NanMean(IReadOnlyList<double?> values)
    {
        var valid = values.Where(Valid).Select(v => v!.Value).ToList();
        return valid.Count > 0 ? valid.Average() : double.NaN;
    }

    /// <summary>Bessel-corrected std of the valid values (NaN when fewer than two), as TRL's <c>nanstd</c>.</summary>
    public static double NanStd(IReadOnlyList<double?> values)
    {
        var valid = values.Where(Valid).Select(v => v!.Value).ToList();
        if (valid.Count < 2) return double.NaN;
        double mean = valid.Average();
        return Math.Sqrt(valid.Sum(v => (v - mean) * (v - mean)) / (valid.Count - 1));
    }
}
