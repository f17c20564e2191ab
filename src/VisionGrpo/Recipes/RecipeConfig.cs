namespace VisionGrpo.Recipes;

/// <summary>
/// The effective configuration of a run: TRL's script arguments, <c>GRPOConfig</c>/<c>TrainingArguments</c> and PEFT
/// <c>LoraConfig</c> options under their own snake_case names, plus a few VisionGrpo keys. Defaults are TRL's; the
/// ones that changed between TRL releases come from <see cref="TrlDefaults.For"/>. Load with <see cref="RecipeLoader"/>.
/// </summary>
public sealed class RecipeConfig
{
    // ---- script arguments (model and data) ----
    /// <summary>Model folder or hub id.</summary>
    [ConfigKey("model_name_or_path", "script", "Model folder or Hugging Face hub id.")]
    public string? ModelNameOrPath { get; set; }
    /// <summary>Hub revision (branch, tag or commit) of the model.</summary>
    [ConfigKey("model_revision", "script", "Hub revision of the model.")]
    public string ModelRevision { get; set; } = "main";
    /// <summary>Dataset folder or hub id.</summary>
    [ConfigKey("dataset_name", "script", "Dataset folder or hub id (parquet/JSONL/CSV/image folder), or synth:visual_math?rows=N&seed=S&tasks=... (generated once, cached).")]
    public string? DatasetName { get; set; }
    /// <summary>Dataset configuration (subset) name.</summary>
    [ConfigKey("dataset_config", "script", "Dataset configuration (subset) name.")]
    public string? DatasetConfig { get; set; }
    /// <summary>Training split, in the datasets split syntax (e.g. <c>train[:5%]</c>).</summary>
    [ConfigKey("dataset_train_split", "script", "Training split, e.g. train or train[:5%].")]
    public string DatasetTrainSplit { get; set; } = "train";
    /// <summary>Evaluation split; ignored when <see cref="TestSize"/> is set.</summary>
    [ConfigKey("dataset_test_split", "script", "Evaluation split (ignored when test_size is set).")]
    public string? DatasetTestSplit { get; set; }
    /// <summary>When set, the training split is divided with train_test_split(test_size, seed).</summary>
    [ConfigKey("test_size", "script", "Fraction (0.2) or row count (77) held out with train_test_split(seed).")]
    public string? TestSize { get; set; }
    /// <summary>System prompt put before each problem; <c>r1</c> selects the recipe's DeepSeek-R1 prompt.</summary>
    [ConfigKey("system_prompt", "script", "System prompt text, or 'r1' for the recipe's reasoning prompt.")]
    public string? SystemPrompt { get; set; } = "r1";
    /// <summary>Dataset column holding the problem text.</summary>
    [ConfigKey("prompt_column", "script", "Column holding the problem text.")]
    public string PromptColumn { get; set; } = "problem";
    /// <summary>
    /// Dataset column holding the image; <c>none</c> (or null) for text-only data. As in TRL, a dataset without this
    /// column, or a row whose image is null, gives a text-only prompt.
    /// </summary>
    [ConfigKey("image_column", "script", "Column holding the image; none for text-only data (a missing column or a null image: a text-only prompt).")]
    public string? ImageColumn { get; set; } = "image";
    /// <summary>Reward functions by name (format, accuracy) or as <c>cmd:COMMAND</c>.</summary>
    [ConfigKey("reward_funcs", "script", "Reward functions: format, accuracy, or cmd:<command> for an external process.")]
    public List<string> RewardFuncs { get; set; } = ["format", "accuracy"];
    /// <summary>What to do with a row whose image or required column is unusable: skip (reported) or fail.</summary>
    [ConfigKey("bad_rows", "script", "skip (report and count) or fail.")]
    public string BadRows { get; set; } = "skip";
    /// <summary>Image processor minimum pixels override.</summary>
    [ConfigKey("min_pixels", "model", "Image processor min_pixels override.")]
    public long? MinPixels { get; set; }
    /// <summary>Image processor maximum pixels override (the main memory knob).</summary>
    [ConfigKey("max_pixels", "model", "Image processor max_pixels override (main memory knob).")]
    public long? MaxPixels { get; set; }
    /// <summary>Which TRL release's semantics and defaults to follow.</summary>
    [ConfigKey("trl_compat", "script", "TRL semantics and defaults: 0.20 (the cookbook) or 1.9 (current).")]
    public string TrlCompat { get; set; } = "1.9";

    // ---- device ----
    /// <summary>Device: auto, cpu, cuda, cuda:N.</summary>
    [ConfigKey("device", "training", "auto, cpu, cuda or cuda:N.")]
    public string Device { get; set; } = "auto";
    /// <summary>libtorch intra-op threads (0 = libtorch's default).</summary>
    [ConfigKey("torch_threads", "training", "libtorch intra-op threads; 0 keeps the default.")]
    public int TorchThreads { get; set; }

    // ---- PEFT LoRA ----
    /// <summary>Wrap the model with LoRA adapters.</summary>
    [ConfigKey("use_peft", "lora", "Train LoRA adapters instead of the full model.")]
    public bool UsePeft { get; set; } = true;
    /// <summary>LoRA rank.</summary>
    [ConfigKey("lora_r", "lora", "LoRA rank r.", Aliases = ["r"])]
    public int LoraR { get; set; } = 8;
    /// <summary>LoRA alpha (scaling = alpha / r).</summary>
    [ConfigKey("lora_alpha", "lora", "LoRA alpha; scaling = alpha / r (alpha / sqrt(r) with use_rslora).")]
    public double LoraAlpha { get; set; } = 8;
    /// <summary>Dropout on the LoRA input.</summary>
    [ConfigKey("lora_dropout", "lora", "Dropout applied to the LoRA branch input.")]
    public double LoraDropout { get; set; }
    /// <summary>Target module names (suffix match) or one regex (full match).</summary>
    [ConfigKey("lora_target_modules", "lora", "Module names matched like PEFT (name or suffix), or one regex string.", Aliases = ["target_modules"])]
    public List<string>? LoraTargetModules { get; set; }
    /// <summary>Modules trained in full and saved with the adapter.</summary>
    [ConfigKey("lora_modules_to_save", "lora", "Modules trained in full and saved with the adapter.", Aliases = ["modules_to_save"])]
    public List<string>? LoraModulesToSave { get; set; }
    /// <summary>Rank-stabilised LoRA scaling.</summary>
    [ConfigKey("use_rslora", "lora", "Rank-stabilised scaling alpha / sqrt(r).")]
    public bool UseRslora { get; set; }
    /// <summary>PEFT task type; only CAUSAL_LM is supported.</summary>
    [ConfigKey("lora_task_type", "lora", "PEFT task type (CAUSAL_LM).", Aliases = ["task_type"])]
    public string LoraTaskType { get; set; } = "CAUSAL_LM";
    /// <summary>LoRA bias handling; only "none" is supported.</summary>
    [ConfigKey("lora_bias", "lora", "LoRA bias (none).", Aliases = ["bias"])]
    public string LoraBias { get; set; } = "none";

    // ---- TrainingArguments ----
    /// <summary>Where checkpoints, logs and the final adapter go.</summary>
    [ConfigKey("output_dir", "training", "Output folder for checkpoints, logs and the final model.")]
    public string OutputDir { get; set; } = "trainer_output";
    /// <summary>AdamW learning rate.</summary>
    [ConfigKey("learning_rate", "training", "AdamW learning rate (GRPOConfig default 1e-6).")]
    public double LearningRate { get; set; } = 1e-6;
    /// <summary>Passes over the training set.</summary>
    [ConfigKey("num_train_epochs", "training", "Training epochs.")]
    public double NumTrainEpochs { get; set; } = 3;
    /// <summary>When positive, overrides num_train_epochs.</summary>
    [ConfigKey("max_steps", "training", "Total optimizer steps; -1 uses num_train_epochs.")]
    public int MaxSteps { get; set; } = -1;
    /// <summary>Completions per device per micro-step.</summary>
    [ConfigKey("per_device_train_batch_size", "training", "Completions per micro-step (prompts x num_generations).")]
    public int PerDeviceTrainBatchSize { get; set; } = 8;
    /// <summary>Completions per evaluation batch.</summary>
    [ConfigKey("per_device_eval_batch_size", "training", "Completions per evaluation batch.")]
    public int PerDeviceEvalBatchSize { get; set; } = 8;
    /// <summary>Micro-steps per optimizer step.</summary>
    [ConfigKey("gradient_accumulation_steps", "training", "Micro-steps per optimizer step.")]
    public int GradientAccumulationSteps { get; set; } = 1;
    /// <summary>LR schedule.</summary>
    [ConfigKey("lr_scheduler_type", "training", "linear, cosine, constant or constant_with_warmup.")]
    public string LrSchedulerType { get; set; } = "linear";
    /// <summary>Share of steps used for warm-up.</summary>
    [ConfigKey("warmup_ratio", "training", "Share of total steps used for linear warm-up.")]
    public double WarmupRatio { get; set; }
    /// <summary>Warm-up steps (wins over warmup_ratio when positive).</summary>
    [ConfigKey("warmup_steps", "training", "Warm-up steps (wins over warmup_ratio).")]
    public int WarmupSteps { get; set; }
    /// <summary>AdamW decoupled weight decay.</summary>
    [ConfigKey("weight_decay", "training", "AdamW weight decay.")]
    public double WeightDecay { get; set; }
    /// <summary>AdamW beta1.</summary>
    [ConfigKey("adam_beta1", "training", "AdamW beta1.")]
    public double AdamBeta1 { get; set; } = 0.9;
    /// <summary>AdamW beta2.</summary>
    [ConfigKey("adam_beta2", "training", "AdamW beta2.")]
    public double AdamBeta2 { get; set; } = 0.999;
    /// <summary>AdamW epsilon.</summary>
    [ConfigKey("adam_epsilon", "training", "AdamW epsilon.")]
    public double AdamEpsilon { get; set; } = 1e-8;
    /// <summary>Gradient clipping norm (0 disables).</summary>
    [ConfigKey("max_grad_norm", "training", "Clip gradients to this global norm; 0 disables.")]
    public double MaxGradNorm { get; set; } = 1.0;
    /// <summary>Seed for sampling, shuffling and initialisation.</summary>
    [ConfigKey("seed", "training", "Random seed.")]
    public int Seed { get; set; } = 42;
    /// <summary>
    /// bf16 base weights and activations (fp32 adapters, optimizer state, losses). The recipe may say <c>auto</c>:
    /// true where the device has fast bf16 products (CUDA, or a CPU with AVX512-BF16/AMX), false elsewhere.
    /// </summary>
    [ConfigKey("bf16", "training", "bf16 weights/activations; adapters, optimizer and losses stay fp32. auto: where the device has fast bf16 (CUDA, AVX512-BF16/AMX CPUs).")]
    public bool Bf16 { get; set; } = true;
    /// <summary>Recompute decoder-layer activations in backward to save memory.</summary>
    [ConfigKey("gradient_checkpointing", "training", "Recompute decoder-layer activations in backward.")]
    public bool GradientCheckpointing { get; set; } = true;
    /// <summary>Log every N optimizer steps.</summary>
    [ConfigKey("logging_steps", "logging", "Log every N optimizer steps.")]
    public int LoggingSteps { get; set; } = 10;
    /// <summary>Also log the first step.</summary>
    [ConfigKey("logging_first_step", "logging", "Also log after the first optimizer step.")]
    public bool LoggingFirstStep { get; set; }
    /// <summary>TensorBoard log folder (default output_dir/runs/...).</summary>
    [ConfigKey("logging_dir", "logging", "TensorBoard folder; default output_dir/runs/<time>_<host>.")]
    public string? LoggingDir { get; set; }
    /// <summary>Integrations to report to.</summary>
    [ConfigKey("report_to", "logging", "tensorboard and/or none.")]
    public List<string> ReportTo { get; set; } = ["tensorboard"];
    /// <summary>Checkpoint cadence: steps, epoch or no.</summary>
    [ConfigKey("save_strategy", "training", "steps, epoch or no.")]
    public string SaveStrategy { get; set; } = "steps";
    /// <summary>Checkpoint every N optimizer steps.</summary>
    [ConfigKey("save_steps", "training", "Checkpoint every N optimizer steps.")]
    public int SaveSteps { get; set; } = 500;
    /// <summary>Keep at most N checkpoints.</summary>
    [ConfigKey("save_total_limit", "training", "Keep at most N checkpoints (oldest removed).")]
    public int? SaveTotalLimit { get; set; }
    /// <summary>Skip optimizer/scheduler/RNG state in checkpoints.</summary>
    [ConfigKey("save_only_model", "training", "Save only the adapter/model in checkpoints.")]
    public bool SaveOnlyModel { get; set; }
    /// <summary>true (latest checkpoint in output_dir) or a checkpoint path.</summary>
    [ConfigKey("resume_from_checkpoint", "training", "true (latest in output_dir) or a checkpoint folder.")]
    public string? ResumeFromCheckpoint { get; set; }
    /// <summary>Evaluation cadence: no, steps or epoch.</summary>
    [ConfigKey("eval_strategy", "training", "no, steps or epoch.", Aliases = ["evaluation_strategy"])]
    public string EvalStrategy { get; set; } = "no";
    /// <summary>Evaluate every N steps (default logging_steps).</summary>
    [ConfigKey("eval_steps", "training", "Evaluate every N optimizer steps (default: logging_steps).")]
    public int? EvalSteps { get; set; }
    /// <summary>Keep every dataset column (they reach the reward functions).</summary>
    [ConfigKey("remove_unused_columns", "training", "Drop columns the model does not use (GRPO keeps them: false).")]
    public bool RemoveUnusedColumns { get; set; }
    /// <summary>Run name for logs.</summary>
    [ConfigKey("run_name", "logging", "Run name shown in logs.")]
    public string? RunName { get; set; }
    /// <summary>Upload to the hub; not supported offline, kept so TRL configs load.</summary>
    [ConfigKey("push_to_hub", "training", "Accepted for TRL compatibility; VisionGrpo never uploads (a warning is printed).")]
    public bool PushToHub { get; set; }
    /// <summary>Stop (false) or skip the step (true) on a non-finite loss or gradient norm.</summary>
    [ConfigKey("skip_nonfinite_steps", "training", "Skip steps with NaN/inf loss or grad norm instead of stopping.")]
    public bool SkipNonfiniteSteps { get; set; }
    /// <summary>Evaluate before and after training, print a before/after table and write summary.json and one sample generation.</summary>
    [ConfigKey("before_after_eval", "training", "Evaluate on the held-out split before and after training; write summary.json.")]
    public bool BeforeAfterEval { get; set; }

    // ---- GRPO ----
    /// <summary>Completions per prompt (G).</summary>
    [ConfigKey("num_generations", "grpo", "Completions per prompt (G >= 2).")]
    public int NumGenerations { get; set; } = 8;
    /// <summary>Completions per prompt in evaluation (null: num_generations).</summary>
    [ConfigKey("num_generations_eval", "grpo", "Completions per prompt in evaluation (default num_generations).")]
    public int? NumGenerationsEval { get; set; }
    /// <summary>Maximum new tokens per completion.</summary>
    [ConfigKey("max_completion_length", "grpo", "Maximum new tokens per completion.")]
    public int MaxCompletionLength { get; set; } = 512;
    /// <summary>Left-truncate prompts to this many tokens, never cutting image tokens (TRL 0.20 behaviour).</summary>
    [ConfigKey("max_prompt_length", "grpo", "Left-truncate prompt text to N tokens, keeping image tokens.")]
    public int? MaxPromptLength { get; set; }
    /// <summary>Rows generated per generation round.</summary>
    [ConfigKey("generation_batch_size", "grpo", "Completions generated per round (default batch x steps_per_generation).")]
    public int? GenerationBatchSize { get; set; }
    /// <summary>Rows generated per round as TRL resolves it: <c>generation_batch_size</c>, else batch × steps_per_generation (default gradient_accumulation_steps).</summary>
    public int EffectiveGenerationBatchSize =>
        GenerationBatchSize ?? PerDeviceTrainBatchSize * (StepsPerGeneration ?? GradientAccumulationSteps);
    /// <summary>Micro-steps served by one generation round.</summary>
    [ConfigKey("steps_per_generation", "grpo", "Micro-steps per generation round (default gradient_accumulation_steps).")]
    public int? StepsPerGeneration { get; set; }
    /// <summary>Sampling temperature (also divides the logits when scoring).</summary>
    [ConfigKey("temperature", "generation", "Sampling temperature; also divides logits when scoring.")]
    public double Temperature { get; set; } = 1.0;
    /// <summary>Nucleus sampling.</summary>
    [ConfigKey("top_p", "generation", "Nucleus sampling threshold.")]
    public double TopP { get; set; } = 1.0;
    /// <summary>Top-k sampling (0 disables).</summary>
    [ConfigKey("top_k", "generation", "Top-k sampling; 0 disables.")]
    public int TopK { get; set; }
    /// <summary>Min-p sampling.</summary>
    [ConfigKey("min_p", "generation", "Min-p sampling threshold.")]
    public double? MinP { get; set; }
    /// <summary>HF repetition penalty.</summary>
    [ConfigKey("repetition_penalty", "generation", "Repetition penalty (1.0 = off).")]
    public double RepetitionPenalty { get; set; } = 1.0;
    /// <summary>KL coefficient (0: no reference model).</summary>
    [ConfigKey("beta", "grpo", "KL coefficient; 0 needs no reference model.")]
    public double Beta { get; set; }
    /// <summary>Optimisation passes per generated batch.</summary>
    [ConfigKey("num_iterations", "grpo", "Optimisation passes over each generated batch (mu).")]
    public int NumIterations { get; set; } = 1;
    /// <summary>Lower clip range.</summary>
    [ConfigKey("epsilon", "grpo", "Clip range epsilon (low).")]
    public double Epsilon { get; set; } = 0.2;
    /// <summary>Upper clip range (default epsilon).</summary>
    [ConfigKey("epsilon_high", "grpo", "Upper clip range; default epsilon.")]
    public double? EpsilonHigh { get; set; }
    /// <summary>Two-sided clipping bound.</summary>
    [ConfigKey("delta", "grpo", "Two-sided GRPO upper bound on the ratio.")]
    public double? Delta { get; set; }
    /// <summary>token or sequence (GSPO).</summary>
    [ConfigKey("importance_sampling_level", "grpo", "token, or sequence (GSPO).")]
    public string ImportanceSamplingLevel { get; set; } = "token";
    /// <summary>Reward weights, one per reward function.</summary>
    [ConfigKey("reward_weights", "grpo", "One weight per reward function (default all 1).")]
    public List<double>? RewardWeights { get; set; }
    /// <summary>group, batch or none (true = group, false = none).</summary>
    [ConfigKey("scale_rewards", "grpo", "group (true), batch or none (false).")]
    public string ScaleRewards { get; set; } = "group";
    /// <summary>Policy loss: grpo, bnpo, dr_grpo, dapo, cispo, sapo, luspo or vespo.</summary>
    [ConfigKey("loss_type", "grpo", "grpo, bnpo, dr_grpo, dapo, cispo, sapo, luspo or vespo.")]
    public string LossType { get; set; } = "dapo";
    /// <summary>Exclude completions without EOS from the loss.</summary>
    [ConfigKey("mask_truncated_completions", "grpo", "Exclude completions that did not end in EOS from the loss.")]
    public bool MaskTruncatedCompletions { get; set; }
    /// <summary>Keep only the top quantile of tokens by entropy in the loss.</summary>
    [ConfigKey("top_entropy_quantile", "grpo", "Train only on the top-rho share of tokens by entropy.")]
    public double TopEntropyQuantile { get; set; } = 1.0;
    /// <summary>Shuffle the prompt order.</summary>
    [ConfigKey("shuffle_dataset", "grpo", "Shuffle prompt order.")]
    public bool ShuffleDataset { get; set; } = true;
    /// <summary>Turn off dropout in the policy (LoRA dropout included).</summary>
    [ConfigKey("disable_dropout", "grpo", "Set all dropout probabilities to 0.")]
    public bool DisableDropout { get; set; }
    /// <summary>DAPO dynamic sampling: drop groups whose rewards all agree and draw more prompts.</summary>
    [ConfigKey("dynamic_sampling", "grpo", "Drop zero-std groups and draw more prompts (DAPO).")]
    public bool DynamicSampling { get; set; }
    /// <summary>Cap on extra generation rounds per step for dynamic sampling.</summary>
    [ConfigKey("max_dynamic_sampling_rounds", "grpo", "Cap on extra generation rounds per step.")]
    public int MaxDynamicSamplingRounds { get; set; } = 4;
    /// <summary>Parse the gold answer from &lt;answer&gt; tags instead of the whole solution.</summary>
    [ConfigKey("gold_from_answer_tag", "grpo", "Accuracy reward: parse the gold from <answer>...</answer> when present.")]
    public bool GoldFromAnswerTag { get; set; }
    /// <summary>Print sample completions at each logging step and save every one (parquet per step, completions.jsonl), as TRL 1.9.</summary>
    [ConfigKey("log_completions", "logging", "Print sample completions at each logging step and save them all: completions/completions_{step:05d}.parquet and completions.jsonl.")]
    public bool LogCompletions { get; set; }
    /// <summary>Rows printed with log_completions.</summary>
    [ConfigKey("num_completions_to_print", "logging", "Rows printed with log_completions (default all).")]
    public int? NumCompletionsToPrint { get; set; }
    /// <summary>Extra generation options (override the sampling keys on conflict).</summary>
    [ConfigKey("generation_kwargs", "generation", "Extra generation options; override the keys above.")]
    public Dictionary<string, string>? GenerationKwargs { get; set; }
    /// <summary>Extra chat template variables.</summary>
    [ConfigKey("chat_template_kwargs", "generation", "Extra variables for the chat template.")]
    public Dictionary<string, string>? ChatTemplateKwargs { get; set; }
    // ---- SFT (visiongrpo sft) ----
    /// <summary>Column holding the SFT target completion (TRL's prompt-completion <c>completion</c> idea).</summary>
    [ConfigKey("completion_column", "sft", "SFT: column with the target completion (the EOS token is appended).")]
    public string CompletionColumn { get; set; } = "solution";
    /// <summary>Keep the vision tower (patch embedding and blocks; the merger/projector still trains) frozen in full fine-tuning.</summary>
    [ConfigKey("freeze_vision_tower", "sft", "SFT: do not train the vision tower's patch embedding and blocks (the merger still trains), as LLaMA-Factory.")]
    public bool FreezeVisionTower { get; set; }
    /// <summary>Keep the vision merger (the multi-modal projector) frozen in full fine-tuning.</summary>
    [ConfigKey("freeze_multi_modal_projector", "sft", "SFT: do not train the vision merger (multi-modal projector), as LLaMA-Factory.")]
    public bool FreezeMultiModalProjector { get; set; }
    /// <summary>dtype of the final full-model save of <c>visiongrpo sft</c>: auto (training dtype), bfloat16 or float32.</summary>
    [ConfigKey("save_dtype", "sft", "SFT: dtype of the saved full model: auto (training dtype), bfloat16 or float32.")]
    public string SaveDtype { get; set; } = "auto";
    /// <summary>Must be false: VisionGrpo generates with its own engine.</summary>
    [ConfigKey("use_vllm", "generation", "Accepted for TRL compatibility; must be false.")]
    public bool UseVllm { get; set; }
}
