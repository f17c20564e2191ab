using System.Text.Json.Serialization;
using VisionGrpo.Data.Validation;
using VisionGrpo.Training.Config;
using VisionGrpo.Training.Optim;

namespace VisionGrpo.Training;

/// <summary>
/// The training arguments of <see cref="GrpoTrainer"/>, as TRL's <c>GRPOConfig</c> (with the <c>TrainingArguments</c>
/// it extends): each property's summary names its TRL key, and the defaults are TRL 1.9's. Build one in code with an
/// object initializer, or from a YAML recipe (<c>RecipeMapping.ToGrpoConfig</c>); either way
/// <see cref="Validate"/> runs when the trainer is constructed. This part holds the loop, optimizer, logging and
/// saving options beyond <see cref="TrainingArguments"/>; the GRPO, generation and prompt options are in the other part.
/// A model passed to the trainer with <c>resume_from_checkpoint</c> set must have been loaded from that checkpoint
/// (<see cref="PolicyModel.Load(PolicyLoadOptions, string?)"/>); the model-id constructor loads it itself.
/// </summary>
public sealed partial record GrpoConfig : TrainingArguments
{
    /// <summary>A configuration with TRL 1.9's defaults (<c>learning_rate</c> 1e-6).</summary>
    public GrpoConfig() => LearningRate = 1e-6;

    /// <summary><c>per_device_eval_batch_size</c>: completions per evaluation batch.</summary>
    public int PerDeviceEvalBatchSize { get; init; } = 8;
    /// <summary><c>log_completions</c>: print sample completions at each log and save every one (parquet per step, <c>completions.jsonl</c>).</summary>
    public bool LogCompletions { get; init; }
    /// <summary><c>num_completions_to_print</c>: rows printed with <see cref="LogCompletions"/> (null: all).</summary>
    public int? NumCompletionsToPrint { get; init; }
    /// <summary><c>eval_strategy</c>: evaluate on the evaluation dataset every <see cref="EvalSteps"/>, every epoch, or never.</summary>
    public IntervalStrategy EvalStrategy { get; init; } = IntervalStrategy.No;
    /// <summary><c>eval_steps</c>: evaluate every N optimizer steps (null: <see cref="TrainingArguments.LoggingSteps"/>).</summary>
    public int? EvalSteps { get; init; }
}
