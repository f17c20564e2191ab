using TorchSharp;
using VisionGrpo.Data.Validation;
using VisionGrpo.Training.Config;
using VisionGrpo.Training.Optim;

namespace VisionGrpo.Training.Sft;

/// <summary>
/// The loop, optimizer, logging and saving knobs of <see cref="SftTrainer"/>, under the TrainingArguments/SFTConfig
/// names they come from (a recipe maps onto them with <c>RecipeMapping.ToSftOptions</c>).
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
    public IntervalStrategy SaveStrategy { get; init; } = IntervalStrategy.Steps;
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
    /// <summary><c>logging_dir</c>: the TensorBoard folder (null: <c>output_dir/runs/&lt;time&gt;_&lt;host&gt;</c>).</summary>
    public string? LoggingDir { get; init; }
    /// <summary><c>report_to: tensorboard</c> (true) or <c>none</c> (false); <c>metrics.jsonl</c> is always written.</summary>
    public bool ReportToTensorBoard { get; init; } = true;
    /// <summary><c>resume_from_checkpoint</c>: a checkpoint folder, or <c>"true"</c> for the newest one in <see cref="OutputDir"/>.</summary>
    public string? ResumeFromCheckpoint { get; init; }
    /// <summary><c>bad_rows</c>: a row that cannot be used is skipped (and counted) or fails the run.</summary>
    public BadRowPolicy BadRows { get; init; } = BadRowPolicy.Skip;
    /// <summary><c>freeze_vision_tower</c>: keep the vision tower's patch embedding and blocks frozen (the merger still trains).</summary>
    public bool FreezeVisionTower { get; init; }
    /// <summary><c>freeze_multi_modal_projector</c>: keep the vision merger (the multi-modal projector) frozen.</summary>
    public bool FreezeMultiModalProjector { get; init; }
    /// <summary>The configuration text saved as <c>training_args.yaml</c> (null: these options as JSON).</summary>
    [System.Text.Json.Serialization.JsonIgnore]
    public string? RecordedConfig { get; init; }

    /// <summary>What <see cref="RecordedConfig"/> says, or these options as JSON under their TRL names.</summary>
    public string ConfigText() => RecordedConfig ?? System.Text.Json.JsonSerializer.Serialize(this, GrpoConfig.JsonOptions) + "\n";

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
        Require(BatchSize >= 1, "per_device_train_batch_size must be at least 1.");
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
