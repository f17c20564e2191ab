namespace VisionGrpo.Training;

/// <summary>What a trainer reports while it runs (the CLI draws its progress bar and tables from these).</summary>
public sealed class TrainerEvents
{
    /// <summary>Informational lines (set-up, checkpoints, evaluation).</summary>
    public Action<string>? Info { get; init; }
    /// <summary>Warnings (bad rows skipped, unscorable completions, skipped non-finite steps).</summary>
    public Action<string>? Warning { get; init; }
    /// <summary>After every optimizer step.</summary>
    public Action<StepReport>? Step { get; init; }
    /// <summary>Each logging event: the dictionary appended to <c>log_history</c> (train or eval_ keys).</summary>
    public Action<IReadOnlyDictionary<string, object?>>? Log { get; init; }
    /// <summary>Sample completions at logging steps when <c>log_completions</c>: (prompt, completion, rewards by name, advantage).</summary>
    public Action<IReadOnlyList<CompletionSample>>? Completions { get; init; }
}

/// <summary>Progress after one optimizer step.</summary>
/// <param name="Step">Global step done.</param>
/// <param name="MaxSteps">Planned steps.</param>
/// <param name="Epoch">Fractional epoch.</param>
/// <param name="Seconds">Seconds since training started (this process).</param>
/// <param name="Reward">Mean reward of the last generation round.</param>
/// <param name="TokensPerSecond">Generated completion tokens per second of the last step.</param>
/// <param name="Loss">The step's loss.</param>
public sealed record StepReport(long Step, long MaxSteps, double Epoch, double Seconds, double Reward, double TokensPerSecond, double Loss);

/// <summary>One completion shown with <c>log_completions</c>.</summary>
/// <param name="Step">Global step.</param>
/// <param name="Prompt">Prompt text.</param>
/// <param name="Completion">Completion text.</param>
/// <param name="Rewards">Reward per function (null = None).</param>
/// <param name="Advantage">Its advantage.</param>
public sealed record CompletionSample(long Step, string Prompt, string Completion, IReadOnlyDictionary<string, double?> Rewards, double Advantage);
