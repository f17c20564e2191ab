using System.Text.Json.Nodes;
using VisionGrpo.Training.Config;

namespace VisionGrpo.Training.Reference;

/// <summary>
/// Reads a fixture record's <c>hyperparameters</c> (TRL's <c>GRPOConfig</c> keyword arguments) into
/// <see cref="GrpoAlgorithmOptions"/> on top of the version's defaults, and writes TRL's <c>effective_hp</c>.
/// </summary>
internal static class HyperparameterReader
{
    /// <summary>Keys that are accepted but do not change the advantage/loss math of a single-process record.</summary>
    static readonly HashSet<string> Ignored = new(StringComparer.Ordinal)
    {
        "per_device_train_batch_size", "bf16", "use_cpu", "report_to", "max_prompt_length", "steps_per_generation",
        "generation_batch_size", "output_dir", "seed", "logging_steps", "learning_rate", "shuffle_dataset",
        "num_train_epochs", "max_steps", "per_device_eval_batch_size", "remove_unused_columns",
    };

    public static GrpoAlgorithmOptions Read(JsonObject? hp, TrlCompat compat, List<string> warnings)
    {
        var o = GrpoAlgorithmOptions.Defaults(compat);
        if (hp is null) return o;
        foreach (var (key, node) in hp)
        {
            string path = $"hyperparameters.{key}";
            if (node is null && key is not ("epsilon_high" or "delta" or "reward_weights" or "off_policy_mask_threshold"))
                continue; // null = TRL's default
            o = key switch
            {
                "num_generations" => o with { NumGenerations = Int(node, path) },
                "max_completion_length" => o with { MaxCompletionLength = Int(node, path) },
                "loss_type" => o with { LossType = GrpoEnumNames.ParseLossType(Str(node, path)) },
                "importance_sampling_level" => o with { ImportanceSamplingLevel = GrpoEnumNames.ParseImportanceSamplingLevel(Str(node, path)) },
                "epsilon" => o with { Epsilon = RecordJson.ToDouble(node, path) },
                "epsilon_high" => o with { EpsilonHigh = RecordJson.ToNullableDouble(node, path) },
                "delta" => o with { Delta = RecordJson.ToNullableDouble(node, path) },
                "beta" => o with { Beta = RecordJson.ToDouble(node, path) },
                "scale_rewards" => o with { ScaleRewards = GrpoEnumNames.ParseScaleRewards(ScalarText(node!, path)) },
                "reward_weights" => o with { RewardWeights = node is null ? null : RecordJson.Doubles(node, path) },
                "multi_objective_aggregation" => o with { MultiObjectiveAggregation = GrpoEnumNames.ParseAggregation(Str(node, path)) },
                "mask_truncated_completions" => o with { MaskTruncatedCompletions = Bool(node, path) },
                "top_entropy_quantile" => o with { TopEntropyQuantile = RecordJson.ToDouble(node, path) },
                "use_bias_correction_kl" => o with { UseBiasCorrectionKl = Bool(node, path) },
                "temperature" => o with { Temperature = RecordJson.ToDouble(node, path) },
                "gradient_accumulation_steps" => o with { GradientAccumulationSteps = Int(node, path) },
                "num_iterations" => o with { NumIterations = Int(node, path) },
                "sapo_temperature_pos" => o with { SapoTemperaturePos = RecordJson.ToDouble(node, path) },
                "sapo_temperature_neg" => o with { SapoTemperatureNeg = RecordJson.ToDouble(node, path) },
                "vespo_k_pos" => o with { VespoKPos = RecordJson.ToDouble(node, path) },
                "vespo_lambda_pos" => o with { VespoLambdaPos = RecordJson.ToDouble(node, path) },
                "vespo_k_neg" => o with { VespoKNeg = RecordJson.ToDouble(node, path) },
                "vespo_lambda_neg" => o with { VespoLambdaNeg = RecordJson.ToDouble(node, path) },
                "off_policy_mask_threshold" => o with { OffPolicyMaskThreshold = RecordJson.ToNullableDouble(node, path) },
                "entropy_coef" => o with { EntropyCoef = RecordJson.ToDouble(node, path) },
                _ => Unknown(o, key, warnings),
            };
        }
        return o;
    }

    static GrpoAlgorithmOptions Unknown(GrpoAlgorithmOptions o, string key, List<string> warnings)
    {
        if (!Ignored.Contains(key)) warnings.Add($"hyperparameters.{key} is not used by the advantage/loss computation; ignored.");
        return o;
    }

    static int Int(JsonNode? node, string path)
    {
        double d = RecordJson.ToDouble(node, path);
        return d == Math.Floor(d) && Math.Abs(d) <= int.MaxValue ? (int)d : throw new FormatException($"{path}: {d} is not an integer.");
    }

    static bool Bool(JsonNode? node, string path) =>
        node is JsonValue v && v.TryGetValue(out bool b) ? b : throw new FormatException($"{path}: expected true or false.");

    static string Str(JsonNode? node, string path) =>
        node is JsonValue v && v.TryGetValue(out string? s) ? s : throw new FormatException($"{path}: expected a string.");

    static string ScalarText(JsonNode node, string path) =>
        node is JsonValue v && v.TryGetValue(out bool b) ? (b ? "true" : "false") : Str(node, path);

    /// <summary>TRL's <c>effective_hp</c> block: the values the trainer actually used.</summary>
    public static JsonObject Effective(GrpoAlgorithmOptions o, int rows, int numFunctions)
    {
        bool v19 = o.Compat == TrlCompat.V1_9;
        var e = new JsonObject
        {
            ["beta"] = o.Beta,
            ["epsilon_low"] = o.EpsilonLow,
            ["epsilon_high"] = o.EffectiveEpsilonHigh,
            ["delta"] = o.Delta is { } d ? JsonValue.Create(d) : null,
            ["loss_type"] = o.LossType.Name(),
            ["scale_rewards"] = v19 ? JsonValue.Create(o.ScaleRewards.Name()) : JsonValue.Create(o.ScaleRewards != ScaleRewards.None),
            ["importance_sampling_level"] = o.ImportanceSamplingLevel.ToString().ToLowerInvariant(),
            ["max_completion_length"] = o.MaxCompletionLength,
            ["temperature"] = o.Temperature,
            ["num_generations"] = o.NumGenerations,
            ["gradient_accumulation_steps"] = o.GradientAccumulationSteps,
            ["steps_per_generation"] = o.GradientAccumulationSteps,
            ["num_iterations"] = o.NumIterations,
            ["generation_batch_size"] = rows * o.GradientAccumulationSteps,
            ["mask_truncated_completions"] = o.MaskTruncatedCompletions,
            ["top_entropy_quantile"] = o.TopEntropyQuantile,
        };
        if (numFunctions > 0) e["reward_weights"] = RecordJson.Numbers(o.WeightsFor(numFunctions));
        if (v19)
        {
            e["multi_objective_aggregation"] = o.MultiObjectiveAggregation.Name();
            e["use_bias_correction_kl"] = o.UseBiasCorrectionKl;
        }
        return e;
    }
}
