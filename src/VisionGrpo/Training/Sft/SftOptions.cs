using TorchSharp;
using VisionGrpo.Data.Validation;
using VisionGrpo.Training.Config;
using VisionGrpo.Training.Optim;

namespace VisionGrpo.Training.Sft;

/// <summary>
/// The options of <see cref="SftTrainer"/>: the shared <see cref="TrainingArguments"/> plus SFTConfig's own, under the
/// names they come from (a recipe maps onto them with <c>RecipeMapping.ToSftOptions</c>).
/// </summary>
public sealed record SftOptions : TrainingArguments
{
    /// <summary>A configuration with SFTConfig's defaults (<c>learning_rate</c> 2e-5).</summary>
    public SftOptions() => LearningRate = 2e-5;

    /// <summary><c>completion_column</c>: the target text; the tokenizer's EOS is appended.</summary>
    public string CompletionColumn { get; init; } = "solution";
    /// <summary><c>save_dtype</c> of the final full-model save (null keeps the training dtype).</summary>
    public torch.ScalarType? SaveDtype { get; init; }
    /// <summary><c>freeze_vision_tower</c>: keep the vision tower's patch embedding and blocks frozen (the merger still trains).</summary>
    public bool FreezeVisionTower { get; init; }
    /// <summary><c>freeze_multi_modal_projector</c>: keep the vision merger (the multi-modal projector) frozen.</summary>
    public bool FreezeMultiModalProjector { get; init; }

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
    public SftOptions Validate()
    {
        Require(PerDeviceTrainBatchSize >= 1, "per_device_train_batch_size must be at least 1.");
        Require(GradientAccumulationSteps >= 1, "gradient_accumulation_steps must be at least 1.");
        Require(MaxSteps > 0 || NumTrainEpochs > 0, "set num_train_epochs > 0 or max_steps > 0.");
        Require(LearningRate >= 0, "learning_rate must not be negative.");
        Require(LoggingSteps >= 1, "logging_steps must be at least 1.");
        Require(SaveSteps >= 1, "save_steps must be at least 1.");
        Require(Enum.IsDefined(SaveStrategy), $"save_strategy: {(int)SaveStrategy} is not one of steps, epoch, no.");
        Require(Enum.IsDefined(LrSchedulerType), $"lr_scheduler_type: {(int)LrSchedulerType} is not a LrSchedulerType value.");
        Require(Enum.IsDefined(BadRows), $"bad_rows: {(int)BadRows} is not one of skip, fail.");
        Require(SaveTotalLimit is null or >= 1, "save_total_limit must be at least 1 (or unset).");
        Require(!string.IsNullOrWhiteSpace(CompletionColumn), "completion_column must name a dataset column.");
        return this;
    }

    static void Require(bool condition, string message)
    {
        if (!condition) throw new ConfigException(message);
    }
}
