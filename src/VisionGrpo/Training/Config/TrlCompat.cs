namespace VisionGrpo.Training.Config;

/// <summary>
/// Which TRL release's GRPO semantics to reproduce where they changed: advantage NaN handling and std,
/// <c>scale_rewards</c> forms, the <c>reward_std</c> metric, loss normalisation under gradient accumulation and defaults.
/// </summary>
public enum TrlCompat
{
    /// <summary>TRL v0.20.0, the version the cookbook recipe ran (<c>trl_compat: "0.20"</c>).</summary>
    V0_20,

    /// <summary>TRL v1.9.0, the newest release studied (<c>trl_compat: "1.9"</c>); default for new configs.</summary>
    V1_9,
}

/// <summary>Parsing and naming of <see cref="TrlCompat"/> values as they appear in configs and fixture files.</summary>
public static class TrlCompatNames
{
    /// <summary>
    /// Parses <c>"0.20"</c>, <c>"0.20.0"</c>, <c>"1.9"</c>, <c>"1.9.0"</c> (a leading <c>v</c> is allowed).
    /// </summary>
    /// <exception cref="ArgumentException">Any other value.</exception>
    public static TrlCompat Parse(string value)
    {
        string v = value.Trim().TrimStart('v', 'V');
        return v switch
        {
            "0.20" or "0.20.0" => TrlCompat.V0_20,
            "1.9" or "1.9.0" => TrlCompat.V1_9,
            _ => throw new ArgumentException($"trl_compat '{value}' is not supported: use \"0.20\" or \"1.9\"."),
        };
    }

    /// <summary>The short name used in configs: <c>"0.20"</c> or <c>"1.9"</c>.</summary>
    public static string Name(this TrlCompat compat) => compat == TrlCompat.V0_20 ? "0.20" : "1.9";
}
