using System.Globalization;
using System.Text.Json;
using System.Text.Json.Serialization;
using VisionGrpo.Data.Validation;
using VisionGrpo.Generation;
using VisionGrpo.Training.Config;
using VisionGrpo.Training.Inputs;
using VisionGrpo.Training.Optim;

namespace VisionGrpo.Training;

// The cross-option rules of GRPOConfig's __post_init__ and what the trainer derives from the options.
public sealed partial record GrpoConfig
{
    /// <summary>
    /// Completions generated per round over <paramref name="processes"/> ranks as TRL resolves it:
    /// <see cref="GenerationBatchSize"/>, else batch × processes × steps_per_generation (default gradient_accumulation_steps).
    /// </summary>
    public int EffectiveGenerationBatchSize(int processes = 1) =>
        GenerationBatchSize ?? PerDeviceTrainBatchSize * processes * (StepsPerGeneration ?? GradientAccumulationSteps);

    /// <summary>Checks every option and the rules between them (the trainer calls it on construction).</summary>
    /// <param name="processes">
    /// Ranks of the data-parallel job (default: what the MPI launcher announced, else 1): as in TRL, the round's
    /// completions over all of them must divide into whole prompt groups, while one rank's share need not.
    /// </param>
    /// <exception cref="ConfigException">The first invalid option, named by its TRL key.</exception>
    public GrpoConfig Validate(int? processes = null)
    {
        int n = processes ?? Distributed.LaunchEnvironment.Current().ExpectedSize ?? 1;
        Defined(LossType, "loss_type");
        Defined(ScaleRewards, "scale_rewards");
        Defined(ImportanceSamplingLevel, "importance_sampling_level");
        Defined(LrSchedulerType, "lr_scheduler_type");
        Defined(SaveStrategy, "save_strategy");
        Defined(EvalStrategy, "eval_strategy");
        Defined(BadRows, "bad_rows");
        Defined(TrlCompat, "trl_compat");
        Require(!string.IsNullOrWhiteSpace(OutputDir), "output_dir must name a folder.");
        Require(!string.IsNullOrWhiteSpace(PromptColumn), "prompt_column must name a dataset column.");
        Require(NumGenerations >= 2, "num_generations must be at least 2 (advantages compare completions of one prompt).");
        Require(NumGenerationsEval is null or >= 1, "num_generations_eval must be at least 1 (or null for num_generations).");
        Require(PerDeviceTrainBatchSize >= 1, "per_device_train_batch_size must be at least 1.");
        Require(PerDeviceEvalBatchSize >= 1, "per_device_eval_batch_size must be at least 1.");
        Require(GradientAccumulationSteps >= 1, "gradient_accumulation_steps must be at least 1.");
        Require(MaxCompletionLength >= 1, "max_completion_length must be at least 1.");
        Require(MaxPromptLength is null or >= 1, "max_prompt_length must be at least 1 (or null).");
        Require(LearningRate >= 0 && double.IsFinite(LearningRate), "learning_rate must not be negative.");
        Require(Temperature > 0, "temperature must be positive.");
        Require(TopP is > 0 and <= 1, "top_p must be in (0, 1].");
        Require(TopK >= 0, "top_k must be >= 0 (0 disables).");
        Require(TopEntropyQuantile is > 0 and <= 1, "top_entropy_quantile must be in (0, 1].");
        Require(NumIterations >= 1, "num_iterations must be at least 1.");
        Require(LoggingSteps >= 1, "logging_steps must be at least 1.");
        Require(Seed >= 0, $"seed must be a non-negative integer (numpy's and datasets' seeding refuse negative ones); got {Seed}.");
        Require(SaveSteps >= 1, "save_steps must be at least 1.");
        Require(WarmupRatio is >= 0 and <= 1, "warmup_ratio must be in [0, 1].");
        Require(GenerationBatchSize is null || StepsPerGeneration is null,
            "generation_batch_size and steps_per_generation are mutually exclusive; set only one.");
        int gbs = EffectiveGenerationBatchSize(n);
        string processesText = n == 1 ? "" : $" x {n} processes";
        Require(gbs % (PerDeviceTrainBatchSize * n) == 0,
            $"generation_batch_size ({gbs}) must be divisible by per_device_train_batch_size ({PerDeviceTrainBatchSize}){processesText}.");
        Require(gbs % NumGenerations == 0,
            $"generation_batch_size ({gbs} = per_device_train_batch_size{processesText} x steps_per_generation unless set) must be divisible by num_generations ({NumGenerations}).");
        // The components' own rules (e.g. no dapo in TRL 0.20, generation_kwargs names).
        AlgorithmOptions([]);
        ConfigException.Wrap(() => GenerationOptions().Resolve(null));
        return this;
    }

    /// <summary>The advantage and loss options, with one weight per reward function (null: all 1).</summary>
    /// <exception cref="ConfigException">An option the selected TRL version does not have, or out of range.</exception>
    public GrpoAlgorithmOptions AlgorithmOptions(IReadOnlyList<double>? rewardWeights)
    {
        var options = GrpoAlgorithmOptions.Defaults(TrlCompat) with
        {
            NumGenerations = NumGenerations,
            MaxCompletionLength = MaxCompletionLength,
            LossType = LossType,
            ImportanceSamplingLevel = ImportanceSamplingLevel,
            Epsilon = Epsilon,
            EpsilonHigh = EpsilonHigh,
            Delta = Delta,
            Beta = Beta,
            ScaleRewards = ScaleRewards,
            RewardWeights = rewardWeights is { Count: > 0 } ? rewardWeights : null,
            MaskTruncatedCompletions = MaskTruncatedCompletions,
            TopEntropyQuantile = TopEntropyQuantile,
            Temperature = Temperature,
            GradientAccumulationSteps = GradientAccumulationSteps,
            NumIterations = NumIterations,
        };
        return ConfigException.Wrap(() => { options.Validate(); return options; });
    }

    /// <summary>
    /// Rollout sampling as TRL's GRPOTrainer does it: sampling on, the configured temperature/top-k/top-p/min-p/penalty,
    /// <c>max_completion_length</c> new tokens, then <c>generation_kwargs</c> on top (they win on conflict).
    /// </summary>
    /// <exception cref="ConfigException">An unknown <c>generation_kwargs</c> key or a value of the wrong type.</exception>
    public GenerationOptions GenerationOptions()
    {
        var options = new GenerationOptions
        {
            TrlMode = true,
            DoSample = true,
            MaxNewTokens = MaxCompletionLength,
            Temperature = Temperature,
            TopK = TopK,
            TopP = TopP,
            MinP = MinP,
            RepetitionPenalty = RepetitionPenalty,
            Seed = Seed,
            GenerationBatchSize = EffectiveGenerationBatchSize(),
        };
        foreach (var (key, value) in GenerationKwargs ?? new Dictionary<string, object>())
        {
            string where = $"generation_kwargs.{key}";
            options = key switch
            {
                "max_new_tokens" => options with { MaxNewTokens = Number<int>(value, where) },
                "do_sample" => options with { DoSample = value as bool? ?? throw new ConfigException($"{where} expects true or false, got '{value}'.") },
                "temperature" => options with { Temperature = Number<double>(value, where) },
                "top_k" => options with { TopK = Number<int>(value, where) },
                "top_p" => options with { TopP = Number<double>(value, where) },
                "min_p" => options with { MinP = Number<double>(value, where) },
                "repetition_penalty" => options with { RepetitionPenalty = Number<double>(value, where) },
                _ => throw new ConfigException(
                    $"{where}: not supported; use max_new_tokens, do_sample, temperature, top_k, top_p, min_p or repetition_penalty."),
            };
        }
        return options;
    }

    /// <summary>The prompt format: system prompt, columns, truncation and chat template variables.</summary>
    public PromptOptions PromptOptions() => new(SystemPrompt, PromptColumn, ImageColumn, MaxPromptLength, ChatTemplateKwargs);

    static T Number<T>(object value, string where) where T : struct
    {
        bool integral = typeof(T) == typeof(int);
        try
        {
            if (value is bool or string) throw new InvalidCastException();
            if (integral && Convert.ToDouble(value, CultureInfo.InvariantCulture) % 1 != 0) throw new InvalidCastException();
            return (T)Convert.ChangeType(value, typeof(T), CultureInfo.InvariantCulture);
        }
        catch (Exception e) when (e is InvalidCastException or FormatException or OverflowException)
        {
            throw new ConfigException($"{where} expects {(integral ? "an integer" : "a number")}, got '{value}'.");
        }
    }

    static void Defined<T>(T value, string key) where T : struct, Enum
    {
        if (!Enum.IsDefined(value))
            throw new ConfigException($"{key}: {Convert.ToInt64(value, CultureInfo.InvariantCulture)} is not a {typeof(T).Name} value (use one of {string.Join(", ", Enum.GetNames<T>())}).");
    }

    static void Require(bool condition, string message)
    {
        if (!condition) throw new ConfigException(message);
    }
}
