using System.Diagnostics;
using System.Text.Json.Nodes;
using TorchSharp;
using VisionGrpo.Data;
using VisionGrpo.Data.Validation;
using VisionGrpo.Distributed;
using VisionGrpo.Generation;
using VisionGrpo.Lora;
using VisionGrpo.Rewards;
using VisionGrpo.Training.Checkpoints;
using VisionGrpo.Training.Config;
using VisionGrpo.Training.Inputs;
using VisionGrpo.Training.Logging;
using VisionGrpo.Training.Loss;
using VisionGrpo.Training.Optim;
using VisionGrpo.Training.Rollout;
using static TorchSharp.torch;

namespace VisionGrpo.Training;

/// <summary>
/// TRL's <c>GRPOTrainer</c> for one process: built from a model, reward functions, typed arguments and datasets (like
/// <c>GRPOTrainer(model=…, reward_funcs=[…], args=GRPOConfig(…), train_dataset=…, eval_dataset=…)</c>), its
/// <see cref="Train"/> runs rounds of prompts from the repeat sampler, G sampled completions each, rewards and group
/// advantages, optional old/reference log-probs, the GRPO loss per micro-batch with gradient accumulation, clipping,
/// AdamW and the LR schedule; metrics under TRL's names to <c>metrics.jsonl</c>, TensorBoard and
/// <c>trainer_state.json</c>; checkpoints written atomically and resumable so that a resumed run logs exactly what an
/// uninterrupted one does (on CPU). A YAML recipe builds one with <c>recipe.ToGrpoTrainer()</c> (<c>Recipes.RecipeTrainer</c>).
/// </summary>
public sealed partial class GrpoTrainer : IDisposable
{
    readonly GrpoConfig _args;
    readonly DataParallel _dp = new(Communicator.World); // the MPI job this process is part of (one rank alone)
    readonly TrainerEvents _events;
    readonly GrpoAlgorithmOptions _options;
    readonly GrpoBatchPlan _plan;
    readonly TrainingDatasets _data;
    readonly PolicyModel _policy;
    readonly IReadOnlyList<IDisposable> _owned;
    readonly PromptBuilder _prompts;
    readonly IReadOnlyList<IRewardFunction> _rewards;
    readonly ResolvedGeneration _generation;
    readonly RolloutGenerator _rollouts;
    readonly RepeatSampler _sampler;
    readonly UsableRows _usableRows;
    readonly ITrainingOptimizer _optimizer;
    readonly LrScheduler _scheduler;
    readonly CheckpointStore _checkpoints;
    readonly OutputDirLock _outputLock;
    readonly TrainerState _state;
    TrainingProgress _progress;
    readonly GrpoMetricsBuffer _metrics = new();
    readonly string? _resumedFrom;

    /// <summary>
    /// A trainer for a loaded model (TRL's <c>GRPOTrainer(model, reward_funcs, args, train_dataset, eval_dataset)</c>).
    /// The caller keeps ownership of <paramref name="model"/> and the rewards; the trainer holds <c>output_dir</c>
    /// (one writer per folder) until disposed.
    /// </summary>
    /// <param name="model">The policy (LoRA adapters or all weights trainable), e.g. from <see cref="PolicyModel.Load(PolicyLoadOptions, string?)"/>.</param>
    /// <param name="rewardFuncs">Reward functions: classes implementing <see cref="IRewardFunction"/>, or <see cref="RewardFunction.From(string, Func{RewardBatch, IEnumerable{float}}, float)"/> lambdas; each carries its weight.</param>
    /// <param name="args">The training arguments; validated here.</param>
    /// <param name="trainDataset">Training rows (<see cref="Dataset.FromRows"/> for rows in memory); unusable rows are reported and skipped (or fail, <see cref="TrainingArguments.BadRows"/>).</param>
    /// <param name="evalDataset">Held-out rows for <see cref="GrpoConfig.EvalStrategy"/> and <see cref="EvaluateNow"/> (optional).</param>
    /// <param name="events">Progress callbacks.</param>
    /// <exception cref="ConfigException">An invalid argument (named by its TRL key).</exception>
    /// <exception cref="ArgumentException">No reward function, or a model not loaded from the checkpoint to resume.</exception>
    public GrpoTrainer(PolicyModel model, IEnumerable<IRewardFunction> rewardFuncs, GrpoConfig args, Dataset trainDataset,
        Dataset? evalDataset = null, TrainerEvents? events = null)
        : this(model, rewardFuncs, args, trainDataset, evalDataset, events, ownsModel: false)
    {
    }

    /// <summary>
    /// A trainer that loads <paramref name="model"/> itself (TRL's <c>GRPOTrainer(model="id", ..., peft_config=…)</c>):
    /// in bf16 on the default device, with <paramref name="peftConfig"/>'s adapters or all weights trainable, from
    /// <see cref="TrainingArguments.ResumeFromCheckpoint"/> when resuming. For other load settings use
    /// <see cref="PolicyModel.Load(PolicyLoadOptions, string?)"/> and the other constructor. The trainer disposes the model.
    /// </summary>
    /// <param name="model">A model folder or Hugging Face hub id.</param>
    /// <param name="rewardFuncs">Reward functions (classes or <see cref="RewardFunction"/> lambdas).</param>
    /// <param name="args">The training arguments; validated here.</param>
    /// <param name="trainDataset">Training rows.</param>
    /// <param name="evalDataset">Held-out rows (optional).</param>
    /// <param name="peftConfig">LoRA adapters to train; null trains the full model.</param>
    /// <param name="events">Progress callbacks.</param>
    /// <exception cref="ConfigException">An invalid argument (named by its TRL key).</exception>
    public GrpoTrainer(string model, IEnumerable<IRewardFunction> rewardFuncs, GrpoConfig args, Dataset trainDataset,
        Dataset? evalDataset = null, LoraConfig? peftConfig = null, TrainerEvents? events = null)
        : this(LoadModel(model, args, peftConfig), rewardFuncs, args, trainDataset, evalDataset, events, ownsModel: true)
    {
    }

    /// <summary>
    /// The core constructor. With <paramref name="ownsModel"/> the trainer disposes the model (and
    /// <paramref name="alsoOwned"/>, e.g. the rewards a recipe created) when it is disposed, or when construction fails.
    /// </summary>
    internal GrpoTrainer(PolicyModel model, IEnumerable<IRewardFunction> rewardFuncs, GrpoConfig args, Dataset trainDataset,
        Dataset? evalDataset, TrainerEvents? events, bool ownsModel, IReadOnlyList<IDisposable>? alsoOwned = null)
    {
        IReadOnlyList<IDisposable> owned = [.. ownsModel && model is not null ? [model] : Array.Empty<IDisposable>(), .. alsoOwned ?? []];
        _owned = owned;
        try
        {
            ArgumentNullException.ThrowIfNull(model);
            ArgumentNullException.ThrowIfNull(rewardFuncs);
            ArgumentNullException.ThrowIfNull(args);
            ArgumentNullException.ThrowIfNull(trainDataset);
            _args = args.Validate(_dp.Size);
            _events = events ?? new TrainerEvents();
            _rewards = rewardFuncs.ToList();
            if (_rewards.Count == 0) throw new ArgumentException("reward_funcs is empty: pass at least one reward function.", nameof(rewardFuncs));
            _policy = model;
            _plan = GrpoBatchPlan.From(args, _dp.Size);
            if (_dp.Size > 1 && args.DynamicSampling)
                throw new ConfigException("dynamic_sampling: true is supported in one process only (the ranks would have to agree on every extra round); drop it or run without mpirun.");
            _outputLock = OutputDirLock.ForRank(args.OutputDir, _dp.IsRoot); // before anything reads or cleans output_dir
            using var unlockOnFailure = _outputLock.ReleaseOnFailure();
            _checkpoints = new CheckpointStore(args.OutputDir);
            _resumedFrom = _checkpoints.ResolveResume(args.ResumeFromCheckpoint);
            CheckLoadedFrom(model, _resumedFrom);
            if (_dp.IsRoot && _checkpoints.RemoveStale() is > 0 and var stale)
                _events.Warning?.Invoke($"removed {stale} incomplete checkpoint folder(s) left by an interrupted save in '{args.OutputDir}'.");

            _data = TrainingDatasets.Prepare(trainDataset, evalDataset, args.PromptOptions(), args.BadRows);
            if (_data.BadRows.Count > 0) _events.Warning?.Invoke(_data.BadRows.Summary());
            _usableRows = new UsableRows(_data.Train, _data.BadRows, args.BadRows == BadRowPolicy.Fail, _events.Warning);
            _sampler = new RepeatSampler(_data.Train.Count, _plan.PromptsPerRound, args.ShuffleDataset, args.Seed);
            _options = args.AlgorithmOptions(_rewards.Select(r => (double)r.Weight).ToArray());

            if (_policy.Peft?.NonFiniteWarning() is { } nonFinite) _events.Warning?.Invoke(nonFinite);
            _prompts = _policy.PromptBuilder(args.PromptOptions());
            var tokenizer = _policy.Text.Tokenizer;
            _generation = args.GenerationOptions()
                .Resolve(GenerationConfigFile.FromDirectory(_policy.Folder), tokenizer.EosTokenId, tokenizer.PadTokenId);
            _rollouts = new RolloutGenerator(_policy, _prompts, _rewards, _options, _generation);
            MaxSteps = args.MaxSteps > 0
                ? args.MaxSteps
                : (long)Math.Ceiling(args.NumTrainEpochs * _plan.UpdatesPerEpoch(_sampler.RoundsPerEpoch));
            _optimizer = ITrainingOptimizer.CreateAdamW(_policy.TrainableParameters, args.LearningRate, args.AdamBeta1, args.AdamBeta2,
                args.AdamEpsilon, args.WeightDecay);
            int warmup = LrScheduler.ResolveWarmupSteps((int)MaxSteps, args.WarmupSteps, args.WarmupRatio);
            _scheduler = new LrScheduler(args.LrSchedulerType, args.LearningRate, warmup, (int)MaxSteps);
            _state = NewState();
            _progress = new TrainingProgress();
            if (_resumedFrom is not null) Restore(_resumedFrom);
            // Every rank starts from rank 0's weights (initialised or loaded identically anyway: a cheap guarantee).
            _dp.BroadcastParameters(_policy.TrainableParameters.Select(p => (Tensor)p.Parameter).ToArray());
            _optimizer.SetLearningRate(_scheduler.LearningRateAt(_scheduler.LastStep));
            unlockOnFailure.Keep();
        }
        catch
        {
            foreach (var resource in owned) resource.Dispose();
            throw;
        }
    }

    static PolicyModel LoadModel(string model, GrpoConfig args, LoraConfig? peftConfig)
    {
        ArgumentNullException.ThrowIfNull(args);
        args.Validate();
        string? checkpoint = new CheckpointStore(args.OutputDir).ResolveResume(args.ResumeFromCheckpoint);
        return PolicyModel.Load(new PolicyLoadOptions { ModelNameOrPath = model, Peft = peftConfig, Seed = args.Seed }, checkpoint);
    }

    // Resuming restores the optimizer and the data position; the weights must be the checkpoint's too.
    static void CheckLoadedFrom(PolicyModel model, string? checkpoint)
    {
        if (checkpoint is null) return;
        static string Full(string path) => Path.TrimEndingDirectorySeparator(Path.GetFullPath(path));
        if (model.Checkpoint is null || Full(model.Checkpoint) != Full(checkpoint))
            throw new ArgumentException(
                $"resume_from_checkpoint: the model was not loaded from '{checkpoint}': load it with PolicyModel.Load(options, checkpoint), or pass the model id so the trainer loads it.", nameof(model));
    }

    /// <summary>Optimizer steps the run will take.</summary>
    public long MaxSteps { get; }
    /// <summary>The loaded model, tokenizer and adapters.</summary>
    public PolicyModel Policy => _policy;
    /// <summary>The datasets, as checked (unusable rows left out and reported).</summary>
    public TrainingDatasets Data => _data;
    /// <summary>The training arguments.</summary>
    public GrpoConfig Args => _args;
    /// <summary>The HF trainer state (global step, log history).</summary>
    public TrainerState State => _state;
    /// <summary>The sizes derived from the batch keys.</summary>
    public GrpoBatchPlan Plan => _plan;

    TrainerState NewState() => new()
    {
        MaxSteps = MaxSteps,
        LoggingSteps = _args.LoggingSteps,
        EvalSteps = _args.EvalSteps ?? _args.LoggingSteps,
        SaveSteps = _args.SaveSteps,
        TrainBatchSize = _args.PerDeviceTrainBatchSize,
        NumTrainEpochs = (long)Math.Ceiling(_args.NumTrainEpochs),
    };

    /// <summary>Seed of generation round <paramref name="round"/>: distinct per round, fixed by the run's seed.</summary>
    public static long RoundSeed(long seed, long round) =>
        (long)((ulong)seed * 0x9E3779B97F4A7C15UL + (ulong)round * 0xBF58476D1CE4E5B9UL >> 1);

    /// <summary>Disposes the optimizer, what the trainer loaded itself (model, a recipe's rewards), and releases <c>output_dir</c>.</summary>
    public void Dispose()
    {
        _optimizer.Dispose();
        foreach (var resource in _owned) resource.Dispose();
        _outputLock.Dispose();
    }
}
