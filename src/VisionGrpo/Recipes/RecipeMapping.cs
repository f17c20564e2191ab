using VisionGrpo.Generation;
using VisionGrpo.Lora;
using VisionGrpo.Rewards;
using VisionGrpo.Training.Config;

namespace VisionGrpo.Recipes;

/// <summary>
/// The one place where a <see cref="RecipeConfig"/> becomes the typed objects the library takes: the trainer's
/// arguments (<see cref="ToGrpoConfig"/>), the model to load, the LoRA adapter, the reward functions, and from those
/// the GRPO algorithm and the rollout sampler (TRL mode: exactly the configured parameters, the checkpoint's
/// generation_config.json ignored). Errors are <see cref="ConfigException"/>s naming the key.
/// </summary>
public static partial class RecipeMapping
{
    /// <summary>PEFT's default LoRA targets for the Qwen2 family when <c>lora_target_modules</c> is not set.</summary>
    public static readonly IReadOnlyList<string> DefaultLoraTargets = ["q_proj", "v_proj"];

    /// <summary>Advantage and loss options (<c>GRPOConfig</c>'s algorithm keys), validated for the chosen TRL version.</summary>
    public static GrpoAlgorithmOptions ToGrpoOptions(RecipeConfig c) => ToGrpoConfig(c).AlgorithmOptions(c.RewardWeights);

    /// <summary>
    /// Rollout sampling as TRL's GRPOTrainer does it: sampling on, the recipe's temperature/top-k/top-p/min-p/penalty,
    /// <c>max_completion_length</c> new tokens, then <c>generation_kwargs</c> on top (they win on conflict).
    /// </summary>
    public static GenerationOptions ToGenerationOptions(RecipeConfig c) => ToGrpoConfig(c).GenerationOptions();

    /// <summary>
    /// PEFT <c>LoraConfig</c> from the recipe's LoRA keys; a single <c>re:PATTERN</c> entry is a full-match regex and a
    /// single <c>all-linear</c> PEFT's shorthand for every Linear but the output layer.
    /// </summary>
    public static LoraConfig ToLoraConfig(RecipeConfig c)
    {
        var targets = c.LoraTargetModules ?? [.. DefaultLoraTargets];
        var modules = targets switch
        {
            [var only] when only.StartsWith("re:", StringComparison.Ordinal) => Checked(() => LoraTargetModules.FromPattern(only[3..])),
            // TRL turns a one-entry lora_target_modules into PEFT's string form, where all-linear is the shorthand.
            [var only] when LoraTargetModules.IsShorthand(only.Trim()) => LoraTargetModules.AllLinear,
            _ => Checked(() => LoraTargetModules.FromNames(targets)),
        };
        var config = new LoraConfig
        {
            R = c.LoraR,
            LoraAlpha = c.LoraAlpha,
            LoraDropout = c.LoraDropout,
            TargetModules = modules,
            Bias = c.LoraBias,
            TaskType = c.LoraTaskType,
            ModulesToSave = c.LoraModulesToSave,
            UseRslora = c.UseRslora,
            BaseModelNameOrPath = c.ModelNameOrPath,
            Revision = c.ModelRevision == "main" ? null : c.ModelRevision,
        };
        return Checked(() => config.Validate("recipe LoRA keys"));
    }

    /// <summary>The recipe's reward functions (<c>reward_funcs</c> with <c>reward_weights</c>; <c>gold_from_answer_tag</c> turns <c>accuracy</c> into its answer-tag mode).</summary>
    public static IReadOnlyList<IRewardFunction> ToRewards(RecipeConfig c) => ToRewards(c.RewardFuncs, c.RewardWeights, c.GoldFromAnswerTag);

    /// <summary>Reward functions from specs (<c>format</c>, <c>accuracy=2</c>, <c>cmd:…</c>) and optional weights, one per spec.</summary>
    /// <exception cref="ArgumentException">An unknown spec, or a weight count that does not match.</exception>
    public static IReadOnlyList<IRewardFunction> ToRewards(IReadOnlyList<string> specs, IReadOnlyList<double>? weights, bool goldFromAnswerTag)
    {
        if (weights is not null && weights.Count != specs.Count)
            throw new ArgumentException($"reward_weights has {weights.Count} entries but there are {specs.Count} reward functions.");
        return specs.Select((spec, i) => RewardRegistry.Create(goldFromAnswerTag && spec == "accuracy" ? "accuracy_answer_tag" : spec,
            weights is null ? null : (float)weights[i])).ToList();
    }

    /// <summary>The recipe's image column, or null when it says there is none (<c>image_column: none</c>, null or empty).</summary>
    public static string? ImageColumn(RecipeConfig c) =>
        string.IsNullOrWhiteSpace(c.ImageColumn) || c.ImageColumn.Trim().Equals("none", StringComparison.OrdinalIgnoreCase) ? null : c.ImageColumn;

    /// <summary>Runs a component's own parsing/validation and turns its argument errors into <see cref="ConfigException"/>s.</summary>
    internal static T Checked<T>(Func<T> build) => ConfigException.Wrap(build);
}
