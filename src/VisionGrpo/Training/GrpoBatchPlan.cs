namespace VisionGrpo.Training;

/// <summary>
/// The batch arithmetic of TRL's GRPOConfig: B completions per micro-step, S micro-steps per
/// generation round, GB = B·S completions generated per round from U = GB / G unique prompts, each round reused for
/// I iterations, GA micro-steps per optimizer step.
/// </summary>
/// <param name="BatchSize">B: <c>per_device_train_batch_size</c>.</param>
/// <param name="NumGenerations">G.</param>
/// <param name="StepsPerGeneration">S.</param>
/// <param name="NumIterations">I.</param>
/// <param name="GradientAccumulation">GA.</param>
/// <param name="WorldSize">N: processes (ranks) of a data-parallel job; a round holds B·S completions per rank.</param>
public sealed record GrpoBatchPlan(int BatchSize, int NumGenerations, int StepsPerGeneration, int NumIterations, int GradientAccumulation, int WorldSize = 1)
{
    /// <summary>GB: completions per generation round, over all ranks (B·N·S, TRL's <c>generation_batch_size</c>).</summary>
    public int GenerationBatchSize => BatchSize * WorldSize * StepsPerGeneration;
    /// <summary>U: unique prompts per round.</summary>
    public int PromptsPerRound => GenerationBatchSize / NumGenerations;
    /// <summary>Micro-steps served by one round (S·I).</summary>
    public int MicroStepsPerRound => StepsPerGeneration * NumIterations;
    /// <summary>Whether the loss needs old-policy log-probs (a round outlives one optimizer step: GA mod S·I ≠ 0).</summary>
    public bool NeedsOldLogps => GradientAccumulation % MicroStepsPerRound != 0;

    /// <summary>Optimizer steps per epoch as the HF Trainer counts them: ⌊micro-steps / GA⌋, at least 1.</summary>
    public int UpdatesPerEpoch(int roundsPerEpoch) => Math.Max(roundsPerEpoch * MicroStepsPerRound / GradientAccumulation, 1);

    /// <summary>
    /// Derives the plan from the training arguments (whose batch keys <see cref="GrpoConfig.Validate"/> checks) for a
    /// job of <paramref name="worldSize"/> ranks: S is <c>steps_per_generation</c> (default GA), or an explicit
    /// <c>generation_batch_size</c> (global, as in TRL) divided by B·N.
    /// </summary>
    /// <exception cref="ConfigException"><c>generation_batch_size</c> is not a multiple of B·N.</exception>
    public static GrpoBatchPlan From(GrpoConfig c, int worldSize = 1)
    {
        int b = c.PerDeviceTrainBatchSize, perStep = b * worldSize;
        int s = c.GenerationBatchSize is int gb
            ? gb % perStep == 0 ? gb / perStep : throw new ConfigException($"generation_batch_size {gb} must be a multiple of per_device_train_batch_size {b} x {worldSize} process(es).")
            : c.StepsPerGeneration ?? c.GradientAccumulationSteps;
        return new(b, c.NumGenerations, s, c.NumIterations, c.GradientAccumulationSteps, worldSize);
    }
}
