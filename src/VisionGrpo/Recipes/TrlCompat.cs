namespace VisionGrpo.Recipes;

/// <summary>
/// The TRL release whose semantics and defaults a run follows where they changed: <c>"0.20"</c> (what the
/// Hugging Face cookbook recipe ran) or <c>"1.9"</c> (current TRL). See docs/config.md for the differences.
/// </summary>
public static class TrlCompat
{
    /// <summary>The cookbook's TRL (v0.20.0).</summary>
    public const string V0_20 = "0.20";
    /// <summary>Current TRL (v1.9.0).</summary>
    public const string V1_9 = "1.9";

    /// <summary>Every supported value.</summary>
    public static readonly IReadOnlyList<string> All = [V0_20, V1_9];

    /// <summary>Normalises "0.20", "0.20.0", "v0.20" → "0.20"; throws for unknown versions.</summary>
    public static string Normalize(string value)
    {
        string v = value.Trim().TrimStart('v', 'V');
        if (v is "0.20" or "0.20.0") return V0_20;
        if (v is "1.9" or "1.9.0") return V1_9;
        throw new ConfigException($"trl_compat: '{value}' is not supported; use one of {string.Join(", ", All)}.");
    }

    /// <summary>
    /// Defaults that differ between the versions (grpo_trainer.md §2.3). Applied before the user's values, so any
    /// key set in the YAML or with --set wins.
    /// </summary>
    public static IReadOnlyDictionary<string, object?> Defaults(string version) => Normalize(version) switch
    {
        V0_20 => new Dictionary<string, object?>
        {
            ["loss_type"] = "bnpo",
            ["scale_rewards"] = "group",
            ["max_completion_length"] = 256,
            ["max_prompt_length"] = 512,
            ["top_k"] = 0,
            ["gradient_checkpointing"] = false,
        },
        _ => new Dictionary<string, object?>
        {
            ["loss_type"] = "dapo",
            ["scale_rewards"] = "group",
            ["max_completion_length"] = 512,
            ["max_prompt_length"] = null,
            ["top_k"] = 0,
            ["gradient_checkpointing"] = true,
        },
    };
}
