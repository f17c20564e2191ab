using VisionGrpo.Training.Config;

namespace VisionGrpo.Recipes;

/// <summary>Cross-key rules of GRPOConfig's <c>__post_init__</c> and the trainer's init, with actionable messages.</summary>
internal static class RecipeValidator
{
    // More intra-op threads than this only oversubscribes the cores; 100,000 made libtorch hang while starting them.
    const int MaxTorchThreads = 1024;

    public static void Validate(RecipeConfig c)
    {
        // The GRPO enums have one parser (Training/Config); here their names are normalised and checked.
        c.ScaleRewards = RecipeMapping.Checked(() => GrpoEnumNames.ParseScaleRewards(c.ScaleRewards).Name());
        c.LossType = RecipeMapping.Checked(() => GrpoEnumNames.ParseLossType(c.LossType).Name());
        c.ImportanceSamplingLevel = RecipeMapping.Checked(() => GrpoEnumNames.ParseImportanceSamplingLevel(c.ImportanceSamplingLevel).ToString().ToLowerInvariant());
        OneOf("lr_scheduler_type", c.LrSchedulerType, "linear", "cosine", "constant", "constant_with_warmup");
        OneOf("save_strategy", c.SaveStrategy, "steps", "epoch", "no");
        OneOf("eval_strategy", c.EvalStrategy, "steps", "epoch", "no");
        OneOf("bad_rows", c.BadRows, "skip", "fail");
        OneOf("lora_task_type", c.LoraTaskType, "CAUSAL_LM");
        OneOf("lora_bias", c.LoraBias, "none");
        foreach (var r in c.ReportTo) OneOf("report_to", r, "tensorboard", "none");

        Require(c.NumGenerations >= 2, "num_generations must be at least 2 (advantages compare completions of one prompt).");
        Require(c.NumGenerationsEval is null or >= 1, "num_generations_eval must be at least 1 (or null for num_generations).");
        Require(c.PerDeviceTrainBatchSize >= 1, "per_device_train_batch_size must be at least 1.");
        Require(c.GradientAccumulationSteps >= 1, "gradient_accumulation_steps must be at least 1.");
        Require(c.MaxCompletionLength >= 1, "max_completion_length must be at least 1.");
        Require(c.MaxPromptLength is null or >= 1, "max_prompt_length must be at least 1 (or null).");
        Require(c.LearningRate >= 0, "learning_rate must not be negative.");
        Require(c.LoraR >= 1, "lora_r must be at least 1.");
        Require(c.LoraDropout is >= 0 and < 1, "lora_dropout must be in [0, 1).");
        Require(c.Temperature > 0, "temperature must be positive.");
        Require(c.TopP is > 0 and <= 1, "top_p must be in (0, 1].");
        Require(c.TopK >= 0, "top_k must be >= 0 (0 disables).");
        Require(c.TopEntropyQuantile is > 0 and <= 1, "top_entropy_quantile must be in (0, 1].");
        Require(c.NumIterations >= 1, "num_iterations must be at least 1.");
        Require(c.LoggingSteps >= 1, "logging_steps must be at least 1.");
        Require(c.Seed >= 0, $"seed must be a non-negative integer (numpy's and datasets' seeding refuse negative ones); got {c.Seed}.");
        Require(c.TorchThreads is >= 0 and <= MaxTorchThreads,
            $"torch_threads must be between 0 (libtorch's default) and {MaxTorchThreads}; got {c.TorchThreads} (this machine has {Environment.ProcessorCount} cores).");
        Require(c.SaveSteps >= 1, "save_steps must be at least 1.");
        Require(c.WarmupRatio is >= 0 and <= 1, "warmup_ratio must be in [0, 1].");
        Require(!c.UseVllm, "use_vllm: VisionGrpo generates with its own batched engine; set use_vllm: false.");
        Require(c.GenerationBatchSize is null || c.StepsPerGeneration is null,
            "generation_batch_size and steps_per_generation are mutually exclusive; set only one.");
        int gbs = c.EffectiveGenerationBatchSize;
        Require(gbs % c.PerDeviceTrainBatchSize == 0,
            $"generation_batch_size ({gbs}) must be divisible by per_device_train_batch_size ({c.PerDeviceTrainBatchSize}).");
        Require(gbs % c.NumGenerations == 0,
            $"generation_batch_size ({gbs} = per_device_train_batch_size x steps_per_generation unless set) must be divisible by num_generations ({c.NumGenerations}).");
        Require(c.RewardFuncs.Count > 0, "reward_funcs is empty: name at least one reward function (format, accuracy, cmd:...).");
        if (c.RewardWeights is not null)
            Require(c.RewardWeights.Count == c.RewardFuncs.Count,
                $"reward_weights has {c.RewardWeights.Count} entries but reward_funcs has {c.RewardFuncs.Count}.");

        // The components' own rules (e.g. no dapo in TRL 0.20, generation_kwargs names) surface at load time too.
        RecipeMapping.ToGrpoOptions(c);
        if (c.UsePeft) RecipeMapping.ToLoraConfig(c);
        var generation = RecipeMapping.ToGenerationOptions(c);
        RecipeMapping.Checked(() => { generation.Resolve(null); return ""; });
    }

    static void OneOf(string key, string value, params string[] allowed)
    {
        if (!allowed.Contains(value, StringComparer.Ordinal))
            throw new ConfigException($"{key}: '{value}' is not one of {string.Join(", ", allowed)}.");
    }

    static void Require(bool condition, string message)
    {
        if (!condition) throw new ConfigException(message);
    }
}
