using System.Globalization;

namespace VisionGrpo.Training.Config;

/// <summary>
/// Sets <see cref="GrpoAlgorithmOptions"/> fields from TRL's config key names and scalar text (YAML values,
/// <c>--set key=value</c>, fixture hyper-parameters). <c>null</c>/<c>None</c>/empty resets nullable keys.
/// </summary>
public static class GrpoAlgorithmKeys
{
    delegate GrpoAlgorithmOptions Setter(GrpoAlgorithmOptions o, string? value, string key);

    static readonly Dictionary<string, Setter> Setters = new(StringComparer.Ordinal)
    {
        ["trl_compat"] = (o, v, k) => o with { Compat = TrlCompatNames.Parse(Required(v, k)) },
        ["num_generations"] = (o, v, k) => o with { NumGenerations = Int(v, k) },
        ["max_completion_length"] = (o, v, k) => o with { MaxCompletionLength = Int(v, k) },
        ["loss_type"] = (o, v, k) => o with { LossType = GrpoEnumNames.ParseLossType(Required(v, k)) },
        ["importance_sampling_level"] = (o, v, k) => o with { ImportanceSamplingLevel = GrpoEnumNames.ParseImportanceSamplingLevel(Required(v, k)) },
        ["epsilon"] = (o, v, k) => o with { Epsilon = Double(v, k) },
        ["epsilon_high"] = (o, v, k) => o with { EpsilonHigh = NullableDouble(v, k) },
        ["delta"] = (o, v, k) => o with { Delta = NullableDouble(v, k) },
        ["beta"] = (o, v, k) => o with { Beta = Double(v, k) },
        ["scale_rewards"] = (o, v, k) => o with { ScaleRewards = GrpoEnumNames.ParseScaleRewards(Required(v, k)) },
        ["reward_weights"] = (o, v, k) => o with { RewardWeights = DoubleList(v, k) },
        ["multi_objective_aggregation"] = (o, v, k) => o with { MultiObjectiveAggregation = GrpoEnumNames.ParseAggregation(Required(v, k)) },
        ["mask_truncated_completions"] = (o, v, k) => o with { MaskTruncatedCompletions = Bool(v, k) },
        ["top_entropy_quantile"] = (o, v, k) => o with { TopEntropyQuantile = Double(v, k) },
        ["use_bias_correction_kl"] = (o, v, k) => o with { UseBiasCorrectionKl = Bool(v, k) },
        ["temperature"] = (o, v, k) => o with { Temperature = Double(v, k) },
        ["gradient_accumulation_steps"] = (o, v, k) => o with { GradientAccumulationSteps = Int(v, k) },
        ["num_iterations"] = (o, v, k) => o with { NumIterations = Int(v, k) },
        ["sapo_temperature_pos"] = (o, v, k) => o with { SapoTemperaturePos = Double(v, k) },
        ["sapo_temperature_neg"] = (o, v, k) => o with { SapoTemperatureNeg = Double(v, k) },
        ["vespo_k_pos"] = (o, v, k) => o with { VespoKPos = Double(v, k) },
        ["vespo_lambda_pos"] = (o, v, k) => o with { VespoLambdaPos = Double(v, k) },
        ["vespo_k_neg"] = (o, v, k) => o with { VespoKNeg = Double(v, k) },
        ["vespo_lambda_neg"] = (o, v, k) => o with { VespoLambdaNeg = Double(v, k) },
        ["off_policy_mask_threshold"] = (o, v, k) => o with { OffPolicyMaskThreshold = NullableDouble(v, k) },
        ["entropy_coef"] = (o, v, k) => o with { EntropyCoef = Double(v, k) },
    };

    /// <summary>The TRL key names this record understands.</summary>
    public static IReadOnlyCollection<string> Names => Setters.Keys;

    /// <summary>
    /// Returns <paramref name="options"/> with <paramref name="key"/> set from <paramref name="value"/>, or null when
    /// the key is not one of <see cref="Names"/>.
    /// </summary>
    /// <exception cref="ArgumentException">The value does not parse; the message names the key.</exception>
    public static GrpoAlgorithmOptions? TryApply(GrpoAlgorithmOptions options, string key, string? value) =>
        Setters.TryGetValue(key, out var setter) ? setter(options, IsNull(value) ? null : value!.Trim(), key) : null;

    static bool IsNull(string? v) => v is null || v.Trim() is "" or "null" or "None" or "~";

    static string Required(string? v, string key) => v ?? throw new ArgumentException($"{key} needs a value.");

    static double Double(string? v, string key) =>
        double.TryParse(Required(v, key), NumberStyles.Float, CultureInfo.InvariantCulture, out double d)
            ? d : throw new ArgumentException($"{key}: '{v}' is not a number.");

    static double? NullableDouble(string? v, string key) => v is null ? null : Double(v, key);

    static int Int(string? v, string key) =>
        int.TryParse(Required(v, key), NumberStyles.Integer, CultureInfo.InvariantCulture, out int i)
            ? i : throw new ArgumentException($"{key}: '{v}' is not an integer.");

    static bool Bool(string? v, string key) => Required(v, key).ToLowerInvariant() switch
    {
        "true" or "1" or "yes" => true,
        "false" or "0" or "no" => false,
        _ => throw new ArgumentException($"{key}: '{v}' is not true or false."),
    };

    static double[]? DoubleList(string? v, string key) =>
        v?.Trim('[', ']').Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries)
            .Select(x => Double(x, key)).ToArray();
}
