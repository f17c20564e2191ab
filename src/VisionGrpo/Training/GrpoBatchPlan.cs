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
public sealed record GrpoBatchPlan(int BatchSize, int NumGenerations, int StepsPerGeneration, int NumIterations, int GradientAccumulation)
{
    /// <summary>GB: completions per generation round.</summary>
    public int GenerationBatchSize => BatchSize * StepsPerGeneration;
    /// <summary>U: unique prompts per round.</summary>
    public int PromptsPerRound => GenerationBatchSize / NumGenerations;
    /// <summary>Micro-steps served by one round (S·I).</summary>
    public int MicroStepsPerRound => StepsPerGeneration * NumIterations;
    /// <summary>Whether the loss needs old-policy log-probs (a round outlives one optimizer step: GA mod S·I ≠ 0).</summary>
    public bool NeedsOldLogps => GradientAccumulation % MicroStepsPerRound != 0;

    /// <summary>Optimizer steps per epoch as the HF Trainer counts them: ⌊micro-steps / GA⌋, at least 1.</summary>
    public int UpdatesPerEpoch(int roundsPerEpoch) => Math.Max(roundsPerEpoch * MicroStepsPerRound / GradientAccumulation, 1);

    /// <summary>Derives the plan from the training arguments (whose batch keys <see cref="GrpoConfig.Validate"/> checks).</summary>
    public static GrpoBatchPlan From(GrpoConfig c) =>
        new(c.PerDeviceTrainBatchSize, c.NumGenerations, c.EffectiveGenerationBatchSize / c.PerDeviceTrainBatchSize,
            c.NumIterations, c.GradientAccumulationSteps);
}
