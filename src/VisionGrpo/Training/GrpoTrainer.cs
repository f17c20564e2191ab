using System.Diagnostics;
using System.Text.Json.Nodes;
using TorchSharp;
using VisionGrpo.Data;
using VisionGrpo.Generation;
using VisionGrpo.Recipes;
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
/// TRL's <c>GRPOTrainer.train()</c> for one process: rounds of prompts from the repeat sampler,
/// G sampled completions each, rewards and group advantages, optional old/reference log-probs, the GRPO loss per
/// micro-batch with gradient accumulation, clipping, AdamW and the LR schedule; metrics under TRL's names to
/// <c>metrics.jsonl</c>, TensorBoard and <c>trainer_state.json</c>; checkpoints written atomically and resumable so
/// that a resumed run logs exactly what an uninterrupted one does (on CPU).
/// </summary>
public sealed partial class GrpoTrainer : IDisposable
{
    readonly RecipeConfig _recipe;
    readonly TrainerEvents _events;
    readonly GrpoAlgorithmOptions _options;
    readonly GrpoBatchPlan _plan;
    readonly RecipeDatasets _data;
    readonly PolicyModel _policy;
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

    /// <summary>Loads data, model, rewards and optimizer for <paramref name="recipe"/> (and the checkpoint to resume, if any).</summary>
    /// <param name="recipe">The run configuration.</param>
    /// <param name="events">Progress callbacks.</param>
    /// <param name="rewards">Reward functions to use instead of the recipe's <c>reward_funcs</c> (like passing callables to TRL).</param>
    /// <exception cref="ConfigException">Inconsistent recipe keys.</exception>
    public GrpoTrainer(RecipeConfig recipe, TrainerEvents? events = null, IReadOnlyList<IRewardFunction>? rewards = null)
    {
        _recipe = recipe;
        _events = events ?? new TrainerEvents();
        if (recipe.PushToHub) _events.Warning?.Invoke("push_to_hub: true is ignored; VisionGrpo never uploads (use `huggingface-cli upload` on output_dir).");
        _plan = GrpoBatchPlan.From(recipe);
        _outputLock = OutputDirLock.Acquire(recipe.OutputDir); // before anything reads or cleans output_dir
        using var unlockOnFailure = _outputLock.ReleaseOnFailure();
        _checkpoints = new CheckpointStore(recipe.OutputDir);
        _resumedFrom = _checkpoints.ResolveResume(recipe.ResumeFromCheckpoint);
        if (_checkpoints.RemoveStale() is > 0 and var stale)
            _events.Warning?.Invoke($"removed {stale} incomplete checkpoint folder(s) left by an interrupted save in '{recipe.OutputDir}'.");

        _data = RecipeDatasets.Load(recipe, _events.Info);
        if (_data.BadRows.Count > 0) _events.Warning?.Invoke(_data.BadRows.Summary());
        _usableRows = new UsableRows(_data.Train, _data.BadRows, recipe.BadRows == "fail", _events.Warning);
        _sampler = new RepeatSampler(_data.Train.Count, _plan.PromptsPerRound, recipe.ShuffleDataset, recipe.Seed);
        _rewards = rewards is { Count: > 0 } ? rewards : RecipeMapping.Checked(() => RecipeMapping.ToRewards(recipe));
        _options = RecipeMapping.ToGrpoOptions(recipe) with { RewardWeights = _rewards.Select(r => (double)r.Weight).ToArray() };

        _policy = PolicyModel.Load(recipe, _resumedFrom);
        try
        {
            if (_policy.Peft?.NonFiniteWarning() is { } nonFinite) _events.Warning?.Invoke(nonFinite);
            _prompts = _policy.PromptBuilder(recipe);
            var tokenizer = _policy.Text.Tokenizer;
            _generation = RecipeMapping.ToGenerationOptions(recipe)
                .Resolve(GenerationConfigFile.FromDirectory(_policy.Folder), tokenizer.EosTokenId, tokenizer.PadTokenId);
            _rollouts = new RolloutGenerator(_policy, _prompts, _rewards, _options, _generation);
            MaxSteps = recipe.MaxSteps > 0
                ? recipe.MaxSteps
                : (long)Math.Ceiling(recipe.NumTrainEpochs * _plan.UpdatesPerEpoch(_sampler.RoundsPerEpoch));
            _optimizer = ITrainingOptimizer.CreateAdamW(_policy.TrainableParameters, recipe.LearningRate, recipe.AdamBeta1, recipe.AdamBeta2,
                recipe.AdamEpsilon, recipe.WeightDecay);
            int warmup = LrScheduler.ResolveWarmupSteps((int)MaxSteps, recipe.WarmupSteps, recipe.WarmupRatio);
            _scheduler = new LrScheduler(LrSchedulerTypeNames.Parse(recipe.LrSchedulerType), recipe.LearningRate, warmup, (int)MaxSteps);
            _state = NewState();
            _progress = new TrainingProgress();
            if (_resumedFrom is not null) Restore(_resumedFrom);
            _optimizer.SetLearningRate(_scheduler.LearningRateAt(_scheduler.LastStep));
        }
        catch
        {
            _policy.Dispose();
            throw;
        }
        unlockOnFailure.Keep();
    }

    /// <summary>Optimizer steps the run will take.</summary>
    public long MaxSteps { get; }
    /// <summary>The loaded model, tokenizer and adapters.</summary>
    public PolicyModel Policy => _policy;
    /// <summary>The datasets.</summary>
    public RecipeDatasets Data => _data;
    /// <summary>The HF trainer state (global step, log history).</summary>
    public TrainerState State => _state;
    /// <summary>The sizes derived from the batch keys.</summary>
    public GrpoBatchPlan Plan => _plan;

    TrainerState NewState() => new()
    {
        MaxSteps = MaxSteps,
        LoggingSteps = _recipe.LoggingSteps,
        EvalSteps = _recipe.EvalSteps ?? _recipe.LoggingSteps,
        SaveSteps = _recipe.SaveSteps,
        TrainBatchSize = _recipe.PerDeviceTrainBatchSize,
        NumTrainEpochs = (long)Math.Ceiling(_recipe.NumTrainEpochs),
    };

    /// <summary>Seed of generation round <paramref name="round"/>: distinct per round, fixed by the run's seed.</summary>
    public static long RoundSeed(long seed, long round) =>
        (long)((ulong)seed * 0x9E3779B97F4A7C15UL + (ulong)round * 0xBF58476D1CE4E5B9UL >> 1);

    /// <summary>Disposes the optimizer, adapters and model.</summary>
    public void Dispose()
    {
        _optimizer.Dispose();
        _policy.Dispose();
        foreach (var r in _rewards) (r as IDisposable)?.Dispose();
        _outputLock.Dispose();
    }
}
