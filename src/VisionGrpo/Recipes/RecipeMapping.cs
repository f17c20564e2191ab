using VisionGrpo.Generation;
using VisionGrpo.Lora;
using VisionGrpo.Rewards;
using VisionGrpo.Training.Config;
using VisionGrpo.Vision;

namespace VisionGrpo.Recipes;

/// <summary>
/// The one place where a <see cref="RecipeConfig"/> becomes the options each component takes: the GRPO algorithm,
/// the rollout sampler (TRL mode: exactly the configured parameters, the checkpoint's generation_config.json ignored)
/// and the LoRA adapter. Errors are <see cref="ConfigException"/>s naming the key.
/// </summary>
public static class RecipeMapping
{
    /// <summary>PEFT's default LoRA targets for the Qwen2 family when <c>lora_target_modules</c> is not set.</summary>
    public static readonly IReadOnlyList<string> DefaultLoraTargets = ["q_proj", "v_proj"];

    /// <summary>Advantage and loss options (<c>GRPOConfig</c>'s algorithm keys), validated for the chosen TRL version.</summary>
    public static GrpoAlgorithmOptions ToGrpoOptions(RecipeConfig c)
    {
        var compat = TrlCompatNames.Parse(c.TrlCompat);
        var options = GrpoAlgorithmOptions.Defaults(compat) with
        {
            NumGenerations = c.NumGenerations,
            MaxCompletionLength = c.MaxCompletionLength,
            LossType = GrpoEnumNames.ParseLossType(c.LossType),
            ImportanceSamplingLevel = GrpoEnumNames.ParseImportanceSamplingLevel(c.ImportanceSamplingLevel),
            Epsilon = c.Epsilon,
            EpsilonHigh = c.EpsilonHigh,
            Delta = c.Delta,
            Beta = c.Beta,
            ScaleRewards = GrpoEnumNames.ParseScaleRewards(c.ScaleRewards),
            RewardWeights = c.RewardWeights,
            MaskTruncatedCompletions = c.MaskTruncatedCompletions,
            TopEntropyQuantile = c.TopEntropyQuantile,
            Temperature = c.Temperature,
            GradientAccumulationSteps = c.GradientAccumulationSteps,
            NumIterations = c.NumIterations,
        };
        return Checked(() => { options.Validate(); return options; });
    }

    /// <summary>
    /// Rollout sampling as TRL's GRPOTrainer does it: sampling on, the recipe's temperature/top-k/top-p/min-p/penalty,
    /// <c>max_completion_length</c> new tokens, then <c>generation_kwargs</c> on top (they win on conflict).
    /// </summary>
    public static GenerationOptions ToGenerationOptions(RecipeConfig c)
    {
        var options = new GenerationOptions
        {
            TrlMode = true,
            DoSample = true,
            MaxNewTokens = c.MaxCompletionLength,
            Temperature = c.Temperature,
            TopK = c.TopK,
            TopP = c.TopP,
            MinP = c.MinP,
            RepetitionPenalty = c.RepetitionPenalty,
            Seed = c.Seed,
            GenerationBatchSize = c.EffectiveGenerationBatchSize,
        };
        foreach (var (key, value) in c.GenerationKwargs ?? [])
        {
            string where = $"generation_kwargs.{key}";
            options = key switch
            {
                "max_new_tokens" => options with { MaxNewTokens = Int(value, where) },
                "do_sample" => options with { DoSample = Bool(value, where) },
                "temperature" => options with { Temperature = Double(value, where) },
                "top_k" => options with { TopK = Int(value, where) },
                "top_p" => options with { TopP = Double(value, where) },
                "min_p" => options with { MinP = Double(value, where) },
                "repetition_penalty" => options with { RepetitionPenalty = Double(value, where) },
                _ => throw new ConfigException(
                    $"{where}: not supported; use max_new_tokens, do_sample, temperature, top_k, top_p, min_p or repetition_penalty."),
            };
        }
        return options;
    }

    /// <summary>PEFT <c>LoraConfig</c> from the recipe's LoRA keys; a single <c>re:PATTERN</c> entry is a full-match regex.</summary>
    public static LoraConfig ToLoraConfig(RecipeConfig c)
    {
        var targets = c.LoraTargetModules ?? [.. DefaultLoraTargets];
        var modules = targets is [var only] && only.StartsWith("re:", StringComparison.Ordinal)
            ? Checked(() => LoraTargetModules.FromPattern(only[3..]))
            : Checked(() => LoraTargetModules.FromNames(targets));
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

    /// <summary>The model folder's image processor with the recipe's <c>min_pixels</c>/<c>max_pixels</c>; null when the folder has none.</summary>
    public static QwenImageProcessor? ToImageProcessor(string modelFolder, RecipeConfig c)
    {
        if (!File.Exists(Path.Combine(modelFolder, ImageProcessorConfig.FileName))) return null;
        var config = ImageProcessorConfig.Load(modelFolder);
        config = config with { MinPixels = c.MinPixels ?? config.MinPixels, MaxPixels = c.MaxPixels ?? config.MaxPixels };
        Checked(() => { config.Validate("min_pixels/max_pixels"); return config; });
        return new QwenImageProcessor(config);
    }

    /// <summary>The recipe's image column, or null when it says there is none (<c>image_column: none</c>, null or empty).</summary>
    public static string? ImageColumn(RecipeConfig c) =>
        string.IsNullOrWhiteSpace(c.ImageColumn) || c.ImageColumn.Trim().Equals("none", StringComparison.OrdinalIgnoreCase) ? null : c.ImageColumn;

    /// <summary>Runs a component's own parsing/validation and turns its argument errors into <see cref="ConfigException"/>s.</summary>
    internal static T Checked<T>(Func<T> build)
    {
        try { return build(); }
        catch (ArgumentException e) { throw new ConfigException(e.Message); }
        catch (FormatException e) { throw new ConfigException(e.Message); }
    }

    // generation_kwargs values parse exactly like every other config value.
    static int Int(string v, string where) => (int)RecipeLoader.ParseScalar(typeof(int), v, "generation_kwargs", where);
    static double Double(string v, string where) => (double)RecipeLoader.ParseScalar(typeof(double), v, "generation_kwargs", where);
    static bool Bool(string v, string where) => (bool)RecipeLoader.ParseScalar(typeof(bool), v, "generation_kwargs", where);
}
