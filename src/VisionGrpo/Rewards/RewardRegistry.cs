using System.Globalization;

namespace VisionGrpo.Rewards;

/// <summary>
/// Maps reward names to functions: <c>format</c>, <c>accuracy</c>, <c>accuracy_answer_tag</c> (the opt-in
/// gold-from-answer-tag mode) and <c>cmd:&lt;shell command&gt;</c> (an <see cref="ExternalProcessReward"/>).
/// A spec may carry a weight: <c>accuracy=2</c>.
/// </summary>
public static class RewardRegistry
{
    /// <summary>The built-in names.</summary>
    public static IReadOnlyList<string> BuiltInNames { get; } = ["format", "accuracy", "accuracy_answer_tag"];

    /// <summary>Creates one reward from a spec such as <c>format</c>, <c>accuracy=0.5</c> or <c>cmd:python r.py</c>.</summary>
    /// <exception cref="ArgumentException">Unknown name or bad weight (the message lists the valid names).</exception>
    public static IRewardFunction Create(string spec, float? weight = null)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(spec);
        spec = spec.Trim();
        if (spec.StartsWith("cmd:", StringComparison.Ordinal))
            return new ExternalProcessReward(spec[4..].Trim(), weight: weight ?? 1f);
        string name = spec;
        int eq = spec.LastIndexOf('=');
        if (eq > 0)
        {
            name = spec[..eq].Trim();
            if (!float.TryParse(spec[(eq + 1)..], NumberStyles.Float, CultureInfo.InvariantCulture, out var w))
                throw new ArgumentException($"reward '{spec}': weight '{spec[(eq + 1)..]}' is not a number", nameof(spec));
            weight = w;
        }
        return name switch
        {
            "format" or "format_reward" => new FormatReward(weight ?? 1f),
            "accuracy" or "accuracy_reward" => new AccuracyReward(weight ?? 1f),
            "accuracy_answer_tag" => new AccuracyReward(weight ?? 1f, goldFromAnswerTag: true),
            _ => throw new ArgumentException($"unknown reward '{name}'; use one of {string.Join(", ", BuiltInNames)} or cmd:<command>", nameof(spec)),
        };
    }

    /// <summary>Creates rewards from a comma-separated list (commands after <c>cmd:</c> may not contain commas; pass them one by one instead).</summary>
    public static IReadOnlyList<IRewardFunction> CreateAll(string specs)
    {
        ArgumentNullException.ThrowIfNull(specs);
        return specs.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries).Select(s => Create(s)).ToList();
    }
}
