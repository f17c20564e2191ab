using System.Globalization;
using System.Text.Json.Nodes;
using VisionGrpo.Training.Config;

namespace VisionGrpo.Parity.Grpo;

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
            if (key == "trl_compat") continue; // the record's trl_version decides
            var updated = GrpoAlgorithmKeys.TryApply(o, key, ScalarText(node, $"hyperparameters.{key}"));
            if (updated is not null) o = updated;
            else if (!Ignored.Contains(key)) warnings.Add($"hyperparameters.{key} is not used by the advantage/loss computation; ignored.");
        }
        return o;
    }

    /// <summary>A JSON scalar (or array of numbers) as the text <see cref="GrpoAlgorithmKeys"/> parses.</summary>
    static string? ScalarText(JsonNode? node, string path) => node switch
    {
        null => null,
        JsonArray a => string.Join(",", a.Select((x, i) => RecordJson.ToDouble(x, $"{path}[{i}]").ToString("R", CultureInfo.InvariantCulture))),
        JsonValue v when v.TryGetValue(out bool b) => b ? "true" : "false",
        JsonValue v when v.TryGetValue(out string? s) => s,
        JsonValue => RecordJson.ToDouble(node, path).ToString("R", CultureInfo.InvariantCulture),
        _ => throw new FormatException($"{path}: expected a scalar, got {node.ToJsonString()}."),
    };

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
        // TRL holds the weights in a float32 tensor.
        if (numFunctions > 0) e["reward_weights"] = RecordJson.Numbers(o.WeightsFor(numFunctions).Select(w => (double)(float)w));
        if (v19)
        {
            e["multi_objective_aggregation"] = o.MultiObjectiveAggregation.Name();
            e["use_bias_correction_kl"] = o.UseBiasCorrectionKl;
        }
        return e;
    }
}
