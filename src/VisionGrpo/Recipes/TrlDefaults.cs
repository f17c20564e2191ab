using VisionGrpo.Training.Config;

namespace VisionGrpo.Recipes;

/// <summary>
/// Recipe defaults that differ between the TRL releases <c>trl_compat</c> selects (docs/config.md). They are
/// applied before the user's values, so any key set in the YAML or with --set wins. The loss-side defaults come from
/// <see cref="GrpoAlgorithmOptions.Defaults"/>, the one place that knows them.
/// </summary>
public static class TrlDefaults
{
    /// <summary>Parses a <c>trl_compat</c> value ("0.20", "0.20.0", "v1.9", ...) into its short name.</summary>
    public static string Normalize(string value) => RecipeMapping.Checked(() => TrlCompatNames.Parse(value).Name());

    /// <summary>Config key → default value for <paramref name="version"/>.</summary>
    public static IReadOnlyDictionary<string, object?> For(string version)
    {
        var compat = TrlCompatNames.Parse(version);
        bool cookbook = compat == TrlCompat.V0_20;
        return new Dictionary<string, object?>
        {
            ["loss_type"] = GrpoAlgorithmOptions.Defaults(compat).LossType.Name(),
            ["max_completion_length"] = cookbook ? 256 : 512,
            ["max_prompt_length"] = cookbook ? 512 : null,
            ["gradient_checkpointing"] = !cookbook,
        };
    }
}
