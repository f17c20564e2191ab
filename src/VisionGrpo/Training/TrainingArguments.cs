using System.Text.Json;
using System.Text.Json.Serialization;
using VisionGrpo.Data.Validation;
using VisionGrpo.Training.Config;
using VisionGrpo.Training.Optim;

namespace VisionGrpo.Training;

/// <summary>
/// The loop, optimizer, logging and saving options every trainer shares, as Hugging Face's <c>TrainingArguments</c>
/// (which TRL's <c>GRPOConfig</c> and <c>SFTConfig</c> both extend): <see cref="GrpoConfig"/> and
/// <see cref="Sft.SftOptions"/> add their own. Each property's summary names its key.
/// </summary>
public abstract record TrainingArguments
{
    /// <summary><c>output_dir</c>: checkpoints, <c>metrics.jsonl</c>, TensorBoard logs and the final adapter or model.</summary>
    public string OutputDir { get; init; } = "trainer_output";
    /// <summary><c>learning_rate</c>: AdamW's peak learning rate (the default is the trainer's: GRPOConfig 1e-6, SFTConfig 2e-5).</summary>
    public double LearningRate { get; init; } = 5e-5;
    /// <summary><c>num_train_epochs</c>: passes over the training set (fractional values stop mid-epoch).</summary>
    public double NumTrainEpochs { get; init; } = 3;
    /// <summary><c>max_steps</c>: total optimizer steps when positive (overrides <see cref="NumTrainEpochs"/>).</summary>
    public int MaxSteps { get; init; } = -1;
    /// <summary><c>per_device_train_batch_size</c>: rows (GRPO: completions) per micro-step and process.</summary>
    public int PerDeviceTrainBatchSize { get; init; } = 8;
    /// <summary><c>gradient_accumulation_steps</c>: micro-steps per optimizer step.</summary>
    public int GradientAccumulationSteps { get; init; } = 1;
    /// <summary><c>lr_scheduler_type</c>.</summary>
    public LrSchedulerType LrSchedulerType { get; init; } = LrSchedulerType.Linear;
    /// <summary><c>warmup_ratio</c>: share of the steps used for linear warm-up.</summary>
    public double WarmupRatio { get; init; }
    /// <summary><c>warmup_steps</c>: warm-up steps (win over <see cref="WarmupRatio"/> when positive).</summary>
    public int WarmupSteps { get; init; }
    /// <summary><c>weight_decay</c>: AdamW's decoupled weight decay.</summary>
    public double WeightDecay { get; init; }
    /// <summary><c>adam_beta1</c>.</summary>
    public double AdamBeta1 { get; init; } = 0.9;
    /// <summary><c>adam_beta2</c>.</summary>
    public double AdamBeta2 { get; init; } = 0.999;
    /// <summary><c>adam_epsilon</c>.</summary>
    public double AdamEpsilon { get; init; } = 1e-8;
    /// <summary><c>max_grad_norm</c>: clip gradients to this global norm (0 disables).</summary>
    public double MaxGradNorm { get; init; } = 1.0;
    /// <summary><c>seed</c>: every random stream of the run (shuffles, sampling, dropout) derives from it.</summary>
    public int Seed { get; init; } = 42;
    /// <summary><c>skip_nonfinite_steps</c>: skip (true) or stop on (false) a step with a NaN/inf loss or gradient norm.</summary>
    public bool SkipNonfiniteSteps { get; init; }
    /// <summary><c>bad_rows</c>: a row whose prompt or image cannot be used is reported and skipped, or fails the run.</summary>
    public BadRowPolicy BadRows { get; init; } = BadRowPolicy.Skip;

    /// <summary><c>logging_steps</c>: log every N optimizer steps.</summary>
    public int LoggingSteps { get; init; } = 10;
    /// <summary><c>logging_first_step</c>: also log after the first optimizer step.</summary>
    public bool LoggingFirstStep { get; init; }
    /// <summary><c>logging_dir</c>: the TensorBoard folder (null: <c>output_dir/runs/&lt;time&gt;_&lt;host&gt;</c>).</summary>
    public string? LoggingDir { get; init; }
    /// <summary><c>report_to: tensorboard</c> (true) or <c>none</c> (false); <c>metrics.jsonl</c> is always written.</summary>
    public bool ReportToTensorBoard { get; init; } = true;

    /// <summary><c>save_strategy</c>: checkpoint every <see cref="SaveSteps"/>, every epoch, or never.</summary>
    public IntervalStrategy SaveStrategy { get; init; } = IntervalStrategy.Steps;
    /// <summary><c>save_steps</c>.</summary>
    public int SaveSteps { get; init; } = 500;
    /// <summary><c>save_total_limit</c>: keep at most N checkpoints, oldest removed (null keeps all).</summary>
    public int? SaveTotalLimit { get; init; }
    /// <summary><c>save_only_model</c>: checkpoints without optimizer, scheduler and trainer state (not resumable).</summary>
    public bool SaveOnlyModel { get; init; }
    /// <summary>
    /// <c>resume_from_checkpoint</c>: a checkpoint folder, or <c>"true"</c> for the newest complete one in
    /// <see cref="OutputDir"/>.
    /// </summary>
    public string? ResumeFromCheckpoint { get; init; }

    /// <summary>
    /// The configuration text saved as <c>training_args.yaml</c> next to every checkpoint and the final save, and
    /// logged as TensorBoard's <c>args</c>: a recipe run puts its effective recipe here; when null, these options
    /// are written as JSON under their TRL names (JSON is YAML too). A <c>with</c> copy keeps it: set it to null when
    /// changing a recipe's options in code, so that the record matches the run.
    /// </summary>
    [JsonIgnore]
    public string? RecordedConfig { get; init; }

    /// <summary>What <see cref="RecordedConfig"/> says, or these options as JSON under their TRL names.</summary>
    public string ConfigText() => RecordedConfig ?? JsonSerializer.Serialize(this, GetType(), JsonOptions) + "\n";

    internal static readonly JsonSerializerOptions JsonOptions = new()
    {
        WriteIndented = true,
        PropertyNamingPolicy = JsonNamingPolicy.SnakeCaseLower,
        Converters = { new JsonStringEnumConverter(JsonNamingPolicy.SnakeCaseLower) },
    };
}
