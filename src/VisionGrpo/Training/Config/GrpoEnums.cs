namespace VisionGrpo.Training.Config;

/// <summary>How the per-token policy loss is aggregated (TRL's <c>loss_type</c>).</summary>
public enum GrpoLossType
{
    /// <summary>Per-sequence token mean, then mean over sequences.</summary>
    Grpo,
    /// <summary>Token mean over the local micro-batch (TRL 0.20 default).</summary>
    Bnpo,
    /// <summary>Token sum divided by rows × <c>max_completion_length</c> (Dr. GRPO).</summary>
    DrGrpo,
    /// <summary>Token sum divided by the generation batch's global token count (TRL 1.x default; 1.9 only).</summary>
    Dapo,
    /// <summary>Clipped-IS-weight policy gradient (MiniMax-M1); <c>epsilon_high</c> is an absolute cap. 1.9 only.</summary>
    Cispo,
    /// <summary>Soft adaptive policy optimisation: sigmoid gate instead of a hard clip. 1.9 only.</summary>
    Sapo,
    /// <summary>Length-unbiased sequence policy optimisation (sequence loss × length). 1.9 only.</summary>
    Luspo,
    /// <summary>Gamma-weighted sequence importance sampling. 1.9 only.</summary>
    Vespo,
}

/// <summary>Granularity of the importance ratio (TRL's <c>importance_sampling_level</c>).</summary>
public enum ImportanceSamplingLevel
{
    /// <summary>One ratio per token.</summary>
    Token,
    /// <summary>One length-normalised ratio per sequence (GSPO).</summary>
    Sequence,
}

/// <summary>How rewards are scaled into advantages (TRL's <c>scale_rewards</c>).</summary>
public enum ScaleRewards
{
    /// <summary>Divide by the group's std (+1e-4). TRL 0.20's <c>True</c>.</summary>
    Group,
    /// <summary>Divide by the whole generation batch's std (+1e-4); the mean stays per group. 1.9 only.</summary>
    Batch,
    /// <summary>No division. TRL 0.20's <c>False</c>.</summary>
    None,
}

/// <summary>How several reward functions are combined (TRL 1.9's <c>multi_objective_aggregation</c>).</summary>
public enum MultiObjectiveAggregation
{
    /// <summary>Weighted sum of raw rewards, then group normalisation.</summary>
    SumThenNormalize,
    /// <summary>GDPO: per-function group z-scores, weighted sum, then batch normalisation. 1.9 only.</summary>
    NormalizeThenSum,
}

/// <summary>Config spellings (TRL's snake_case strings) of the GRPO enums.</summary>
public static class GrpoEnumNames
{
    /// <summary>Parses a <c>loss_type</c> string.</summary>
    public static GrpoLossType ParseLossType(string value) => value.Trim().ToLowerInvariant() switch
    {
        "grpo" => GrpoLossType.Grpo,
        "bnpo" => GrpoLossType.Bnpo,
        "dr_grpo" => GrpoLossType.DrGrpo,
        "dapo" => GrpoLossType.Dapo,
        "cispo" => GrpoLossType.Cispo,
        "sapo" => GrpoLossType.Sapo,
        "luspo" => GrpoLossType.Luspo,
        "vespo" => GrpoLossType.Vespo,
        _ => throw new ArgumentException(
            $"loss_type '{value}' is unknown: use grpo, bnpo, dr_grpo, dapo, cispo, sapo, luspo or vespo."),
    };

    /// <summary>TRL's spelling of a loss type.</summary>
    public static string Name(this GrpoLossType type) => type switch
    {
        GrpoLossType.DrGrpo => "dr_grpo",
        _ => type.ToString().ToLowerInvariant(),
    };

    /// <summary>Parses an <c>importance_sampling_level</c> string.</summary>
    public static ImportanceSamplingLevel ParseImportanceSamplingLevel(string value) => value.Trim().ToLowerInvariant() switch
    {
        "token" => ImportanceSamplingLevel.Token,
        "sequence" => ImportanceSamplingLevel.Sequence,
        _ => throw new ArgumentException($"importance_sampling_level '{value}' is unknown: use token or sequence."),
    };

    /// <summary>
    /// Parses <c>scale_rewards</c>: booleans (TRL 0.20's type; 1.9 maps True → group, False → none) or the strings
    /// group, batch, none (also "true"/"false").
    /// </summary>
    public static ScaleRewards ParseScaleRewards(string value) => value.Trim().ToLowerInvariant() switch
    {
        "group" or "true" => ScaleRewards.Group,
        "batch" => ScaleRewards.Batch,
        "none" or "false" => ScaleRewards.None,
        _ => throw new ArgumentException($"scale_rewards '{value}' is unknown: use group, batch, none, true or false."),
    };

    /// <summary>TRL 1.9's spelling of a <c>scale_rewards</c> value.</summary>
    public static string Name(this ScaleRewards scale) => scale.ToString().ToLowerInvariant();

    /// <summary>Parses a <c>multi_objective_aggregation</c> string.</summary>
    public static MultiObjectiveAggregation ParseAggregation(string value) => value.Trim().ToLowerInvariant() switch
    {
        "sum_then_normalize" => MultiObjectiveAggregation.SumThenNormalize,
        "normalize_then_sum" => MultiObjectiveAggregation.NormalizeThenSum,
        _ => throw new ArgumentException(
            $"multi_objective_aggregation '{value}' is unknown: use sum_then_normalize or normalize_then_sum."),
    };

    /// <summary>TRL's spelling of an aggregation mode.</summary>
    public static string Name(this MultiObjectiveAggregation aggregation) =>
        aggregation == MultiObjectiveAggregation.SumThenNormalize ? "sum_then_normalize" : "normalize_then_sum";
}
