using VisionGrpo.Training;
using VisionGrpo.Training.Config;

namespace VisionGrpo.Recipes;

/// <summary>Cross-key rules of GRPOConfig's <c>__post_init__</c> and the trainer's init, with actionable messages.</summary>
internal static class RecipeValidator
{
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

        Require(c.LoraR >= 1, "lora_r must be at least 1.");
        Require(c.LoraDropout is >= 0 and < 1, "lora_dropout must be in [0, 1).");
        PolicyLoadOptions.CheckTorchThreads(c.TorchThreads);
        Require(!c.UseVllm, "use_vllm: VisionGrpo generates with its own batched engine; set use_vllm: false.");
        Require(c.RewardFuncs.Count > 0, "reward_funcs is empty: name at least one reward function (format, accuracy, cmd:...).");
        if (c.RewardWeights is not null)
            Require(c.RewardWeights.Count == c.RewardFuncs.Count,
                $"reward_weights has {c.RewardWeights.Count} entries but reward_funcs has {c.RewardFuncs.Count}.");

        // The trainer's own rules (ranges, batch divisibility, the TRL version's loss types, generation_kwargs) are
        // GrpoConfig's, the same for a recipe and for code; the LoRA keys are PEFT's.
        RecipeMapping.ToGrpoConfig(c).Validate();
        if (c.UsePeft) RecipeMapping.ToLoraConfig(c);
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
