using TorchSharp;
using VisionGrpo.Recipes;
using VisionGrpo.Training.Optim;

namespace VisionGrpo.Training.Sft;

/// <summary>
/// The loop, optimizer and saving knobs of <see cref="SftTrainer"/>, under the TrainingArguments/SFTConfig names they
/// come from (see <see cref="FromRecipe"/>); logging destinations come from the recipe through <c>TrainingLoggers</c>.
/// </summary>
public sealed record SftOptions
{
    /// <summary><c>output_dir</c>: checkpoints, logs and the final model.</summary>
    public string OutputDir { get; init; } = "trainer_output";
    /// <summary><c>completion_column</c>: the target text; the tokenizer's EOS is appended.</summary>
    public string CompletionColumn { get; init; } = "solution";
    /// <summary><c>learning_rate</c> (SFTConfig's default 2e-5).</summary>
    public double LearningRate { get; init; } = 2e-5;
    /// <summary><c>num_train_epochs</c> (fractional values stop mid-epoch).</summary>
    public double NumTrainEpochs { get; init; } = 3;
    /// <summary><c>max_steps</c>: total optimizer steps when positive, overriding <see cref="NumTrainEpochs"/>.</summary>
    public int MaxSteps { get; init; } = -1;
    /// <summary><c>per_device_train_batch_size</c>: rows per micro-batch.</summary>
    public int BatchSize { get; init; } = 8;
    /// <summary><c>gradient_accumulation_steps</c>: micro-batches per optimizer step.</summary>
    public int GradientAccumulationSteps { get; init; } = 1;
    /// <summary><c>lr_scheduler_type</c>.</summary>
    public LrSchedulerType LrSchedulerType { get; init; } = LrSchedulerType.Linear;
    /// <summary><c>warmup_ratio</c>.</summary>
    public double WarmupRatio { get; init; }
    /// <summary><c>warmup_steps</c> (wins over the ratio when positive).</summary>
    public int WarmupSteps { get; init; }
    /// <summary><c>weight_decay</c>.</summary>
    public double WeightDecay { get; init; }
    /// <summary><c>adam_beta1</c>.</summary>
    public double AdamBeta1 { get; init; } = 0.9;
    /// <summary><c>adam_beta2</c>.</summary>
    public double AdamBeta2 { get; init; } = 0.999;
    /// <summary><c>adam_epsilon</c>.</summary>
    public double AdamEpsilon { get; init; } = 1e-8;
    /// <summary><c>max_grad_norm</c> (0 disables clipping).</summary>
    public double MaxGradNorm { get; init; } = 1.0;
    /// <summary><c>seed</c>: the shuffle of epoch e uses seed + e.</summary>
    public int Seed { get; init; } = 42;
    /// <summary><c>logging_steps</c>.</summary>
    public int LoggingSteps { get; init; } = 10;
    /// <summary><c>logging_first_step</c>.</summary>
    public bool LoggingFirstStep { get; init; }
    /// <summary><c>save_strategy</c>: steps, epoch or no.</summary>
    public string SaveStrategy { get; init; } = "steps";
    /// <summary><c>save_steps</c>.</summary>
    public int SaveSteps { get; init; } = 500;
    /// <summary><c>save_total_limit</c> (null keeps all checkpoints).</summary>
    public int? SaveTotalLimit { get; init; }
    /// <summary><c>save_only_model</c>: checkpoints without optimizer and scheduler state.</summary>
    public bool SaveOnlyModel { get; init; }
    /// <summary><c>save_dtype</c> of the final full-model save (null keeps the training dtype).</summary>
    public torch.ScalarType? SaveDtype { get; init; }
    /// <summary><c>skip_nonfinite_steps</c>: skip (true) or stop on (false) a NaN/inf loss or gradient norm.</summary>
    public bool SkipNonfiniteSteps { get; init; }

    /// <summary>The SFT options of a recipe (TRL SFTConfig / TrainingArguments key names).</summary>
    /// <exception cref="ConfigException">A value is out of range (the key is named).</exception>
    public static SftOptions FromRecipe(RecipeConfig recipe)
    {
        ArgumentNullException.ThrowIfNull(recipe);
        var options = new SftOptions
        {
            OutputDir = recipe.OutputDir,
            CompletionColumn = recipe.CompletionColumn,
            LearningRate = recipe.LearningRate,
            NumTrainEpochs = recipe.NumTrainEpochs,
            MaxSteps = recipe.MaxSteps,
            BatchSize = recipe.PerDeviceTrainBatchSize,
            GradientAccumulationSteps = recipe.GradientAccumulationSteps,
            LrSchedulerType = RecipeMapping.Checked(() => LrSchedulerTypeNames.Parse(recipe.LrSchedulerType)),
            WarmupRatio = recipe.WarmupRatio,
            WarmupSteps = recipe.WarmupSteps,
            WeightDecay = recipe.WeightDecay,
            AdamBeta1 = recipe.AdamBeta1,
            AdamBeta2 = recipe.AdamBeta2,
            AdamEpsilon = recipe.AdamEpsilon,
            MaxGradNorm = recipe.MaxGradNorm,
            Seed = recipe.Seed,
            LoggingSteps = recipe.LoggingSteps,
            LoggingFirstStep = recipe.LoggingFirstStep,
            SaveStrategy = recipe.SaveStrategy,
            SaveSteps = recipe.SaveSteps,
            SaveTotalLimit = recipe.SaveTotalLimit,
            SaveOnlyModel = recipe.SaveOnlyModel,
            SaveDtype = ParseSaveDtype(recipe.SaveDtype),
            SkipNonfiniteSteps = recipe.SkipNonfiniteSteps,
        };
        options.Validate();
        return options;
    }

    /// <summary>Parses <c>save_dtype</c>: auto (null), bfloat16/bf16 or float32/fp32.</summary>
    /// <exception cref="ConfigException">Any other value.</exception>
    public static torch.ScalarType? ParseSaveDtype(string value) => value.Trim().ToLowerInvariant() switch
    {
        "auto" or "" => null,
        "bfloat16" or "bf16" => torch.ScalarType.BFloat16,
        "float32" or "fp32" => torch.ScalarType.Float32,
        _ => throw new ConfigException($"save_dtype: '{value}' is not one of auto, bfloat16, float32."),
    };

    /// <summary>Checks the ranges the trainer relies on.</summary>
    /// <exception cref="ConfigException">The first offending key, named.</exception>
    public void Validate()
    {
        Require(BatchSize >= 1, "per_device_train_batch_size must be at least 1.");
        Require(GradientAccumulationSteps >= 1, "gradient_accumulation_steps must be at least 1.");
        Require(MaxSteps > 0 || NumTrainEpochs > 0, "set num_train_epochs > 0 or max_steps > 0.");
        Require(LearningRate >= 0, "learning_rate must not be negative.");
        Require(LoggingSteps >= 1, "logging_steps must be at least 1.");
        Require(SaveSteps >= 1, "save_steps must be at least 1.");
        Require(SaveStrategy is "steps" or "epoch" or "no", $"save_strategy: '{SaveStrategy}' is not one of steps, epoch, no.");
        Require(SaveTotalLimit is null or >= 1, "save_total_limit must be at least 1 (or unset).");
        Require(!string.IsNullOrWhiteSpace(CompletionColumn), "completion_column must name a dataset column.");
    }

    static void Require(bool condition, string message)
    {
        if (!condition) throw new ConfigException(message);
    }
}
