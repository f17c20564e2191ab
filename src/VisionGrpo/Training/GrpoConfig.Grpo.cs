using VisionGrpo.Training.Config;

namespace VisionGrpo.Training;

// The GRPO algorithm, rollout sampling and prompt options of GRPOConfig (and of TRL's script arguments for the prompt).
public sealed partial record GrpoConfig
{
    /// <summary><c>trl_compat</c>: which TRL release's semantics to follow (its defaults are not applied here; set them).</summary>
    public TrlCompat TrlCompat { get; init; } = TrlCompat.V1_9;
    /// <summary><c>num_generations</c>: completions per prompt, the group size G (at least 2).</summary>
    public int NumGenerations { get; init; } = 8;
    /// <summary><c>num_generations_eval</c>: completions per prompt in evaluation (null: <see cref="NumGenerations"/>).</summary>
    public int? NumGenerationsEval { get; init; }
    /// <summary><c>max_completion_length</c>: new tokens per completion.</summary>
    public int MaxCompletionLength { get; init; } = 512;
    /// <summary><c>max_prompt_length</c>: left-truncate prompt text to N tokens, never cutting image tokens (null: no limit).</summary>
    public int? MaxPromptLength { get; init; }
    /// <summary><c>generation_batch_size</c>: completions generated per round (null: batch × <see cref="StepsPerGeneration"/>).</summary>
    public int? GenerationBatchSize { get; init; }
    /// <summary><c>steps_per_generation</c>: micro-steps served by one generation round (null: <see cref="TrainingArguments.GradientAccumulationSteps"/>).</summary>
    public int? StepsPerGeneration { get; init; }
    /// <summary><c>num_iterations</c> μ: optimisation passes over each generated batch.</summary>
    public int NumIterations { get; init; } = 1;
    /// <summary><c>beta</c>: KL coefficient (0: no reference model; otherwise LoRA's base model is the reference).</summary>
    public double Beta { get; init; }
    /// <summary><c>epsilon</c>: lower clip range.</summary>
    public double Epsilon { get; init; } = 0.2;
    /// <summary><c>epsilon_high</c>: upper clip range (null: <see cref="Epsilon"/>).</summary>
    public double? EpsilonHigh { get; init; }
    /// <summary><c>delta</c>: two-sided clipping bound on the ratio (null: off).</summary>
    public double? Delta { get; init; }
    /// <summary><c>loss_type</c>.</summary>
    public GrpoLossType LossType { get; init; } = GrpoLossType.Dapo;
    /// <summary><c>importance_sampling_level</c>: token, or sequence (GSPO).</summary>
    public ImportanceSamplingLevel ImportanceSamplingLevel { get; init; } = ImportanceSamplingLevel.Token;
    /// <summary><c>scale_rewards</c>: group, batch or none.</summary>
    public ScaleRewards ScaleRewards { get; init; } = ScaleRewards.Group;
    /// <summary><c>mask_truncated_completions</c>: leave completions that did not end in EOS out of the loss.</summary>
    public bool MaskTruncatedCompletions { get; init; }
    /// <summary><c>top_entropy_quantile</c> ρ: train only on the top-ρ share of tokens by entropy.</summary>
    public double TopEntropyQuantile { get; init; } = 1.0;
    /// <summary><c>shuffle_dataset</c>: shuffle the prompt order.</summary>
    public bool ShuffleDataset { get; init; } = true;
    /// <summary><c>dynamic_sampling</c> (DAPO): drop groups whose rewards all agree and draw more prompts.</summary>
    public bool DynamicSampling { get; init; }
    /// <summary><c>max_dynamic_sampling_rounds</c>: cap on extra generation rounds per step.</summary>
    public int MaxDynamicSamplingRounds { get; init; } = 4;

    /// <summary><c>temperature</c>: sampling temperature; the scoring logits are divided by it too.</summary>
    public double Temperature { get; init; } = 1.0;
    /// <summary><c>top_p</c>: nucleus sampling threshold.</summary>
    public double TopP { get; init; } = 1.0;
    /// <summary><c>top_k</c>: top-k sampling (0 disables).</summary>
    public int TopK { get; init; }
    /// <summary><c>min_p</c>: min-p sampling threshold (null: off).</summary>
    public double? MinP { get; init; }
    /// <summary><c>repetition_penalty</c> (1.0: off).</summary>
    public double RepetitionPenalty { get; init; } = 1.0;
    /// <summary>
    /// <c>generation_kwargs</c>: sampling options that win over the ones above (<c>max_new_tokens</c>, <c>do_sample</c>,
    /// <c>temperature</c>, <c>top_k</c>, <c>top_p</c>, <c>min_p</c>, <c>repetition_penalty</c>; numbers or booleans).
    /// </summary>
    public IReadOnlyDictionary<string, object>? GenerationKwargs { get; init; }

    /// <summary>The system prompt put before each problem (null: none; <c>SystemPrompts.R1</c> is the cookbook's).</summary>
    public string? SystemPrompt { get; init; }
    /// <summary>The dataset column holding the problem text.</summary>
    public string PromptColumn { get; init; } = "problem";
    /// <summary>The dataset column holding the image(s); null for text-only data (a row without an image is text-only too).</summary>
    public string? ImageColumn { get; init; } = "image";
    /// <summary><c>chat_template_kwargs</c>: extra chat template variables.</summary>
    public IReadOnlyDictionary<string, string>? ChatTemplateKwargs { get; init; }
}
