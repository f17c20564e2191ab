using VisionGrpo.Recipes;

namespace VisionGrpo.Training;

/// <summary>
/// The batch arithmetic of TRL's GRPOConfig (spec §3.1, one process): B completions per micro-step, S micro-steps per
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

    /// <summary>Checks and derives the plan from a recipe, with TRL's rules and messages naming the keys.</summary>
    /// <exception cref="ConfigException">Inconsistent batch keys.</exception>
    public static GrpoBatchPlan From(RecipeConfig c)
    {
        if (c.GenerationBatchSize is not null && c.StepsPerGeneration is not null)
            throw new ConfigException("generation_batch_size and steps_per_generation are mutually exclusive; set one of them.");
        if (c.PerDeviceTrainBatchSize < 1) throw new ConfigException($"per_device_train_batch_size must be ≥ 1 (got {c.PerDeviceTrainBatchSize}).");
        if (c.GradientAccumulationSteps < 1) throw new ConfigException($"gradient_accumulation_steps must be ≥ 1 (got {c.GradientAccumulationSteps}).");
        if (c.NumGenerations < 2) throw new ConfigException($"num_generations must be ≥ 2 for GRPO (got {c.NumGenerations}): advantages compare completions of the same prompt.");
        int gb = c.EffectiveGenerationBatchSize;
        if (gb % c.PerDeviceTrainBatchSize != 0)
            throw new ConfigException($"generation_batch_size ({gb}) must be a multiple of per_device_train_batch_size ({c.PerDeviceTrainBatchSize}).");
        if (gb % c.NumGenerations != 0)
            throw new ConfigException(
                $"generation_batch_size ({gb} = per_device_train_batch_size x steps_per_generation unless set) must be a multiple of num_generations ({c.NumGenerations}).");
        return new GrpoBatchPlan(c.PerDeviceTrainBatchSize, c.NumGenerations, gb / c.PerDeviceTrainBatchSize, c.NumIterations, c.GradientAccumulationSteps);
    }
}
