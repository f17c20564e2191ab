using VisionGrpo.Training.Checkpoints;

namespace VisionGrpo.Training;

/// <summary>
/// The one policy, for GRPO and SFT alike, for an optimizer step whose loss or gradient norm is not finite: stop with
/// the step and the last good checkpoint, or (with <c>skip_nonfinite_steps</c>) skip the update, count it, and log
/// the step as NaN loss / grad_norm (what TRL would show) with a <c>skipped_nonfinite_steps</c> count.
/// </summary>
internal static class NonFiniteSteps
{
    /// <summary>The log key of the running count of skipped steps.</summary>
    public const string CountKey = "skipped_nonfinite_steps";

    /// <summary>
    /// Decides optimizer step <paramref name="step"/>: false when it is finite; true when it is to be skipped (counted
    /// in <paramref name="progress"/>, with a warning).
    /// </summary>
    /// <exception cref="TrainingDivergedException">Not finite and <paramref name="skipAllowed"/> is false.</exception>
    public static bool Skip(long step, double loss, double gradNorm, bool knownBad, bool skipAllowed, CheckpointStore checkpoints,
        TrainingProgress progress, Action<string>? warn)
    {
        if (!knownBad && double.IsFinite(loss) && double.IsFinite(gradNorm)) return false;
        if (!skipAllowed)
        {
            string good = checkpoints.LastGood(step) is { } c ? $"the last good checkpoint is '{c}'"
                : checkpoints.Latest() is null ? "no checkpoint was saved yet" : "no checkpoint is known good (finite weights that gave a finite next step)";
            throw new TrainingDivergedException(
                $"step {step}: loss = {loss}, grad_norm = {gradNorm} (not finite); {good}. Lower learning_rate, check the rewards, " +
                "or set skip_nonfinite_steps: true to skip such steps.");
        }
        progress.SkippedSteps++;
        warn?.Invoke($"step {step}: non-finite loss or gradient norm; update skipped ({progress.SkippedSteps} so far).");
        return true;
    }

    /// <summary>Adds the <c>skipped_nonfinite_steps</c> count to a log entry once any step was skipped.</summary>
    public static void AddCount(ICollection<KeyValuePair<string, object?>> logs, TrainingProgress progress)
    {
        if (progress.SkippedSteps > 0) logs.Add(new(CountKey, progress.SkippedSteps));
    }
}
