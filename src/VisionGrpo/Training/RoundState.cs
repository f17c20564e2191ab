using VisionGrpo.Training.Rollout;

namespace VisionGrpo.Training;

/// <summary>
/// What the trainer knows about the batch of rounds it is training on, set once when the batch is drawn.
/// </summary>
/// <param name="End">Data position after the batch's last round (where a finished batch leaves the sampler).</param>
/// <param name="Seed">Sampling seed of that round; keys the LoRA dropout of the scoring passes.</param>
/// <param name="Rows">Round index of each of the batch's rows (this rank's share; every row in one process).</param>
/// <param name="Order">Batch positions of the rows micro-step after micro-step (<see cref="RoundRows.Assign"/>).</param>
/// <param name="Reward">The round's mean reward (the progress bar shows it).</param>
/// <param name="Tokens">Completion tokens of the round (<c>num_items_in_batch</c>).</param>
/// <param name="Seconds">Wall time of generation, rewards and advantages.</param>
/// <param name="Log">Every completion of the round, kept for <c>log_completions</c> (null when off).</param>
internal sealed record RoundState(DataPosition End, long Seed, int[] Rows, int[] Order, double Reward, long Tokens, double Seconds, RoundLog? Log)
{
    /// <summary>Generated tokens per second of the round.</summary>
    public double TokensPerSecond => Seconds > 0 ? Tokens / Seconds : 0;
}
