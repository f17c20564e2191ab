using VisionGrpo.Data.Validation;
using VisionGrpo.Training;
using VisionGrpo.Training.Config;
using VisionGrpo.Training.Inputs;
using VisionGrpo.Training.Optim;
using VisionGrpo.Training.Sft;

namespace VisionGrpo.Recipes;

// The trainer-facing objects of a recipe: training arguments, the model to load, the prompt format.
public static partial class RecipeMapping
{
    /// <summary>
    /// The GRPO trainer's arguments: every GRPOConfig/TrainingArguments key of the recipe, string values parsed into
    /// their enums (errors name the key), and the effective recipe as the configuration text checkpoints record.
    /// </summary>
    /// <exception cref="ConfigException">A value that does not parse (the key is named).</exception>
    public static GrpoConfig ToGrpoConfig(RecipeConfig c) => WithTrainingArguments(new GrpoConfig
    {
        PerDeviceEvalBatchSize = c.PerDeviceEvalBatchSize,
        LogCompletions = c.LogCompletions,
        NumCompletionsToPrint = c.NumCompletionsToPrint,
        EvalStrategy = Checked(() => IntervalStrategyNames.Parse(c.EvalStrategy, "eval_strategy")),
        EvalSteps = c.EvalSteps,
        TrlCompat = Checked(() => TrlCompatNames.Parse(c.TrlCompat)),
        NumGenerations = c.NumGenerations,
        NumGenerationsEval = c.NumGenerationsEval,
        MaxCompletionLength = c.MaxCompletionLength,
        MaxPromptLength = c.MaxPromptLength,
        GenerationBatchSize = c.GenerationBatchSize,
        StepsPerGeneration = c.StepsPerGeneration,
        NumIterations = c.NumIterations,
        Beta = c.Beta,
        Epsilon = c.Epsilon,
        EpsilonHigh = c.EpsilonHigh,
        Delta = c.Delta,
        LossType = Checked(() => GrpoEnumNames.ParseLossType(c.LossType)),
        ImportanceSamplingLevel = Checked(() => GrpoEnumNames.ParseImportanceSamplingLevel(c.ImportanceSamplingLevel)),
        ScaleRewards = Checked(() => GrpoEnumNames.ParseScaleRewards(c.ScaleRewards)),
        MaskTruncatedCompletions = c.MaskTruncatedCompletions,
        TopEntropyQuantile = c.TopEntropyQuantile,
        ShuffleDataset = c.ShuffleDataset,
        DynamicSampling = c.DynamicSampling,
        MaxDynamicSamplingRounds = c.MaxDynamicSamplingRounds,
        Temperature = c.Temperature,
        TopP = c.TopP,
        TopK = c.TopK,
        MinP = c.MinP,
        RepetitionPenalty = c.RepetitionPenalty,
        GenerationKwargs = c.GenerationKwargs?.ToDictionary(kv => kv.Key, kv => GenerationKwarg(kv.Key, kv.Value)),
        SystemPrompt = SystemPrompts.Resolve(c.SystemPrompt),
        PromptColumn = c.PromptColumn,
        ImageColumn = ImageColumn(c),
        ChatTemplateKwargs = c.ChatTemplateKwargs,
    }, c);

    /// <summary>How to load the recipe's model: <c>model_name_or_path</c>, <c>bf16</c>, <c>device</c>, the LoRA keys when <c>use_peft</c>, <c>gradient_checkpointing</c>.</summary>
    /// <param name="c">The recipe.</param>
    /// <param name="model">The model to load instead of <c>model_name_or_path</c> (e.g. <c>visiongrpo eval --model</c>).</param>
    /// <exception cref="ConfigException"><c>model_name_or_path</c> is not set, or invalid LoRA keys (named).</exception>
    public static PolicyLoadOptions ToPolicyLoadOptions(RecipeConfig c, string? model = null) => new()
    {
        ModelNameOrPath = model ?? (string.IsNullOrWhiteSpace(c.ModelNameOrPath)
            ? throw new ConfigException("model_name_or_path is not set: give a model folder or hub id (--set model_name_or_path=...), or run `visiongrpo train` without --config for the built-in demo.")
            : c.ModelNameOrPath),
        ModelRevision = c.ModelRevision,
        Bf16 = c.Bf16,
        Device = c.Device,
        TorchThreads = c.TorchThreads,
        Peft = c.UsePeft ? ToLoraConfig(c) : null,
        GradientCheckpointing = c.GradientCheckpointing,
        DisableDropout = c.DisableDropout,
        Seed = c.Seed,
        MinPixels = c.MinPixels,
        MaxPixels = c.MaxPixels,
    };

    /// <summary>The recipe's prompt format: <c>system_prompt</c> (<c>r1</c> resolved), columns, <c>max_prompt_length</c>, <c>chat_template_kwargs</c>.</summary>
    public static PromptOptions ToPromptOptions(RecipeConfig c) =>
        new(SystemPrompts.Resolve(c.SystemPrompt), c.PromptColumn, ImageColumn(c), c.MaxPromptLength, c.ChatTemplateKwargs);

    /// <summary>The recipe's <c>bad_rows</c>.</summary>
    /// <exception cref="ConfigException">Neither skip nor fail.</exception>
    public static BadRowPolicy ToBadRowPolicy(RecipeConfig c) => c.BadRows switch
    {
        "skip" => BadRowPolicy.Skip,
        "fail" => BadRowPolicy.Fail,
        _ => throw new ConfigException($"bad_rows: '{c.BadRows}' is not one of skip, fail."),
    };

    /// <summary>The SFT options of a recipe (TRL SFTConfig / TrainingArguments key names), validated.</summary>
    /// <exception cref="ConfigException">A value is out of range (the key is named).</exception>
    public static SftOptions ToSftOptions(RecipeConfig c)
    {
        ArgumentNullException.ThrowIfNull(c);
        return WithTrainingArguments(new SftOptions
        {
            CompletionColumn = c.CompletionColumn,
            SaveDtype = SftOptions.ParseSaveDtype(c.SaveDtype),
            FreezeVisionTower = c.FreezeVisionTower,
            FreezeMultiModalProjector = c.FreezeMultiModalProjector,
        }, c).Validate();
    }

    /// <summary>
    /// <paramref name="options"/> with the recipe's TrainingArguments keys (shared by GRPOConfig and SFTConfig), and
    /// the effective recipe as the configuration text checkpoints record.
    /// </summary>
    static T WithTrainingArguments<T>(T options, RecipeConfig c) where T : TrainingArguments => (T)((TrainingArguments)options with
    {
        OutputDir = c.OutputDir,
        LearningRate = c.LearningRate,
        NumTrainEpochs = c.NumTrainEpochs,
        MaxSteps = c.MaxSteps,
        PerDeviceTrainBatchSize = c.PerDeviceTrainBatchSize,
        GradientAccumulationSteps = c.GradientAccumulationSteps,
        LrSchedulerType = Checked(() => LrSchedulerTypeNames.Parse(c.LrSchedulerType)),
        WarmupRatio = c.WarmupRatio,
        WarmupSteps = c.WarmupSteps,
        WeightDecay = c.WeightDecay,
        AdamBeta1 = c.AdamBeta1,
        AdamBeta2 = c.AdamBeta2,
        AdamEpsilon = c.AdamEpsilon,
        MaxGradNorm = c.MaxGradNorm,
        Seed = c.Seed,
        SkipNonfiniteSteps = c.SkipNonfiniteSteps,
        BadRows = ToBadRowPolicy(c),
        LoggingSteps = c.LoggingSteps,
        LoggingFirstStep = c.LoggingFirstStep,
        LoggingDir = c.LoggingDir,
        ReportToTensorBoard = c.ReportTo.Contains("tensorboard"),
        SaveStrategy = Checked(() => IntervalStrategyNames.Parse(c.SaveStrategy, "save_strategy")),
        SaveSteps = c.SaveSteps,
        SaveTotalLimit = c.SaveTotalLimit,
        SaveOnlyModel = c.SaveOnlyModel,
        ResumeFromCheckpoint = c.ResumeFromCheckpoint,
        RecordedConfig = RecipeWriter.ToYaml(c),
    });

    // generation_kwargs values parse exactly like every other config value; an unknown key is left for
    // GrpoConfig.Validate to name.
    static object GenerationKwarg(string key, string value)
    {
        string where = $"generation_kwargs.{key}";
        return key switch
        {
            "max_new_tokens" or "top_k" => RecipeLoader.ParseScalar(typeof(int), value, "generation_kwargs", where),
            "do_sample" => RecipeLoader.ParseScalar(typeof(bool), value, "generation_kwargs", where),
            "temperature" or "top_p" or "min_p" or "repetition_penalty" => RecipeLoader.ParseScalar(typeof(double), value, "generation_kwargs", where),
            _ => value,
        };
    }
}
