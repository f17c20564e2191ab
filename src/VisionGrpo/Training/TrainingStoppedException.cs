namespace VisionGrpo.Training;

/// <summary>
/// Training was asked to stop (its cancellation token, e.g. on SIGTERM) and did so at an optimizer-step boundary,
/// after saving a checkpoint there, so <c>resume_from_checkpoint: true</c> continues where it stopped.
/// </summary>
public sealed class TrainingStoppedException : OperationCanceledException
{
    /// <summary>Creates the exception for a stop after <paramref name="step"/> optimizer steps.</summary>
    /// <param name="step">Optimizer steps done.</param>
    /// <param name="checkpoint">The checkpoint written (or the newest one when no step was done), or null.</param>
    public TrainingStoppedException(long step, string? checkpoint)
        : base($"training stopped on request at step {step}; " + (checkpoint is null
            ? "no checkpoint was saved yet."
            : $"checkpoint '{checkpoint}' is saved: continue with --set resume_from_checkpoint=true."))
    {
        Step = step;
        Checkpoint = checkpoint;
    }

    /// <summary>Optimizer steps done when the run stopped.</summary>
    public long Step { get; }

    /// <summary>The checkpoint to resume from, or null.</summary>
    public string? Checkpoint { get; }
}
