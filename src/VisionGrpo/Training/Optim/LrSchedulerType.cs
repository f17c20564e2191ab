namespace VisionGrpo.Training.Optim;

/// <summary>transformers' <c>lr_scheduler_type</c> values supported here.</summary>
public enum LrSchedulerType
{
    /// <summary>Linear warmup, then linear decay to 0 at the last step (the HF default).</summary>
    Linear,
    /// <summary>Linear warmup, then half a cosine wave down to 0.</summary>
    Cosine,
    /// <summary>Constant learning rate (no warmup).</summary>
    Constant,
    /// <summary>Linear warmup, then constant.</summary>
    ConstantWithWarmup,
}

/// <summary>Config spellings of <see cref="LrSchedulerType"/>.</summary>
internal static class LrSchedulerTypeNames
{
    /// <summary>Parses <c>linear</c>, <c>cosine</c>, <c>constant</c>, <c>constant_with_warmup</c>.</summary>
    public static LrSchedulerType Parse(string value) => value.Trim().ToLowerInvariant() switch
    {
        "linear" => LrSchedulerType.Linear,
        "cosine" => LrSchedulerType.Cosine,
        "constant" => LrSchedulerType.Constant,
        "constant_with_warmup" => LrSchedulerType.ConstantWithWarmup,
        _ => throw new ArgumentException(
            $"lr_scheduler_type '{value}' is not supported: use linear, cosine, constant or constant_with_warmup."),
    };

    /// <summary>transformers' spelling.</summary>
    public static string Name(this LrSchedulerType type) => type switch
    {
        LrSchedulerType.ConstantWithWarmup => "constant_with_warmup",
        _ => type.ToString().ToLowerInvariant(),
    };
}
