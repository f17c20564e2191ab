namespace VisionGrpo.Training.Config;

/// <summary>When the trainer saves or evaluates (transformers' <c>IntervalStrategy</c>: <c>save_strategy</c>, <c>eval_strategy</c>).</summary>
public enum IntervalStrategy
{
    /// <summary>Never (<c>no</c>).</summary>
    No,
    /// <summary>Every N optimizer steps (<c>steps</c>).</summary>
    Steps,
    /// <summary>At the end of every epoch (<c>epoch</c>).</summary>
    Epoch,
}

/// <summary>Config spellings of <see cref="IntervalStrategy"/>.</summary>
public static class IntervalStrategyNames
{
    /// <summary>Parses <c>no</c>, <c>steps</c> or <c>epoch</c> for the option <paramref name="key"/>.</summary>
    /// <exception cref="ArgumentException">Any other value (the message names <paramref name="key"/>).</exception>
    public static IntervalStrategy Parse(string value, string key) => value switch
    {
        "no" => IntervalStrategy.No,
        "steps" => IntervalStrategy.Steps,
        "epoch" => IntervalStrategy.Epoch,
        _ => throw new ArgumentException($"{key}: '{value}' is not one of steps, epoch, no."),
    };

    /// <summary>transformers' spelling.</summary>
    public static string Name(this IntervalStrategy strategy) => strategy.ToString().ToLowerInvariant();
}
