using System.Diagnostics;
using TorchSharp;
using VisionGrpo.Training.Config;
using VisionGrpo.Training.Logging;
using VisionGrpo.Training.Loss;
using VisionGrpo.Training.Rollout;
using static TorchSharp.torch;

namespace VisionGrpo.Training;

public sealed partial class GrpoTrainer
{
    readonly Stopwatch _clock = new();
    double _stepLoss;
    bool _stepNonFinite;
    double _lastReward;
    long _roundTokens;
    double _roundSeconds;
    DataPosition _batchEnd;

    /// <summary>Runs training to <see cref="MaxSteps"/>, then saves the final adapter/model to <c>output_dir</c>.</summary>
    /// <returns>The final log entry (<c>train_runtime</c>, <c>train_loss</c>, …).</returns>
    /// <exception cref="TrainingDivergedException">A non-finite loss or gradient norm (unless <c>skip_nonfinite_steps</c>).</exception>
    /// <exception cref="TrainingStoppedException">
    /// <paramref name="cancellationToken"/> was cancelled: the run went on to the end of the current optimizer step
    /// (rollouts included), saved a checkpoint there and stopped.
    /// </exception>
    public IReadOnlyDictionary<string, object?> Train(CancellationToken cancellationToken = default)
    {
        if (_state.GlobalStep >= MaxSteps && TrainerState.FinishedSummary(_args.OutputDir, MaxSteps) is { } finished)
        {
            _events.Info?.Invoke($"'{_args.OutputDir}' holds a finished run of {MaxSteps} steps: nothing to do (raise max_steps to train on).");
            return finished;
        }
        _clock.Restart();
        using var loggers = TrainingLoggers.Open(_args.OutputDir, _args.ReportToTensorBoard, _args.LoggingDir, _args.LogCompletions, _state, _resumedFrom is not null);
        _loggers = loggers;
        if (_resumedFrom is null) loggers.WriteRunStart(_args.ConfigText(), _policy);
        if (_policy.Peft is not null) _events.Info?.Invoke(_policy.Peft.TrainableParametersLine);
        _events.Info?.Invoke(StartMessage());
        _policy.Model.train();
        long startStep = _state.GlobalStep;
        while (_state.GlobalStep < MaxSteps)
        {
            if (cancellationToken.IsCancellationRequested && _progress.MicroSteps % _plan.GradientAccumulation == 0) Stop(startStep);
            int skip = _progress.MicroStepsIntoBatch;
            using var batch = NextBatch();
            var order = MicroBatchOrder(batch.Count);
            PrepareOffPolicyLogps(batch);
            for (int micro = skip; micro < _plan.MicroStepsPerRound && _state.GlobalStep < MaxSteps; micro++)
            {
                var rows = order.AsSpan((micro % _plan.StepsPerGeneration) * _plan.BatchSize, _plan.BatchSize).ToArray();
                MicroStep(batch, rows);
                _progress.MicroSteps++;
                // The data position moves past the batch only once it is used up: a checkpoint taken inside it
                // points at its start, so resuming re-enters the same batch.
                if (micro == _plan.MicroStepsPerRound - 1) (_progress.Position, _progress.MicroStepsIntoBatch) = (_batchEnd, 0);
                else _progress.MicroStepsIntoBatch = micro + 1;
                if (_progress.MicroSteps % _plan.GradientAccumulation != 0) continue;
                OptimizerStep(cancellationToken);
                if (cancellationToken.IsCancellationRequested && _state.GlobalStep < MaxSteps) Stop(startStep);
            }
        }
        var summary = Finish(startStep);
        _loggers = null;
        return summary;
    }

    /// <summary>Saves a checkpoint at the current step boundary (unless one was just saved) and stops.</summary>
    void Stop(long startStep)
    {
        string? checkpoint = _state.GlobalStep == startStep ? _checkpoints.Latest()
            : _savedStep == _state.GlobalStep ? _checkpoints.PathFor(_state.GlobalStep)
            : SaveCheckpoint();
        _loggers = null;
        throw new TrainingStoppedException(_state.GlobalStep, checkpoint);
    }

    string StartMessage() =>
        $"GRPO: {_data.Train.Count} train rows{(_data.Test is { } t ? $", {t.Count} eval rows" : "")}; " +
        $"{_plan.PromptsPerRound} prompt(s) x {_plan.NumGenerations} generations per round, batch {_plan.BatchSize}, " +
        $"grad accumulation {_plan.GradientAccumulation}; {MaxSteps} optimizer steps" +
        (_resumedFrom is null ? "" : $"; resuming from {_resumedFrom} at step {_state.GlobalStep}");

    /// <summary>
    /// The next batch of groups: one round, or with dynamic sampling rounds until U groups carry signal. Rounds are
    /// drawn from the current data position on; where they end is kept in <see cref="_batchEnd"/>.
    /// </summary>
    RolloutBatch NextBatch()
    {
        var watch = Stopwatch.StartNew();
        var kept = new List<RolloutGroup>();
        var flat = new List<RolloutGroup>();
        int rounds = 0, sampledGroups = 0, zeroGroups = 0;
        var weights = _options.WeightsFor(_rewards.Count);
        var cursor = _progress.Position;
        do
        {
            var indices = _sampler.Round(cursor.Epoch, cursor.Round);
            long seed = RoundSeed(_args.Seed, cursor.RoundsSampled);
            torch.manual_seed(seed ^ 0x5DEECE66DL);  // dropout during rollouts and scoring: fixed per round, so resume repeats it
            // Not cancellable: a stop request waits for the step boundary, where a checkpoint can be written.
            var groups = _usableRows.Build(indices, rows => _rollouts.Sample(rows, seed, CancellationToken.None));
            cursor = cursor.Next(_sampler.RoundsPerEpoch);
            rounds++;
            sampledGroups += groups.Count;
            foreach (var g in groups)
            {
                bool flatGroup = g.RewardsAgree(weights);
                if (flatGroup) zeroGroups++;
                (_args.DynamicSampling && flatGroup ? flat : kept).Add(g);
            }
        }
        while (_args.DynamicSampling && kept.Count < _plan.PromptsPerRound && rounds <= _args.MaxDynamicSamplingRounds);
        _batchEnd = cursor;

        // Keep the batch shape fixed: surplus groups are dropped, missing ones filled with zero-signal groups.
        var chosen = kept.Concat(flat).Take(_plan.PromptsPerRound).ToList();
        foreach (var g in kept.Concat(flat).Skip(_plan.PromptsPerRound)) g.Dispose();
        var batch = RolloutAssembler.Assemble(chosen, _rollouts.RewardNames, _options,
            _generation.EosTokenIds[0], _generation.PadTokenId, _policy.Device, _events.Warning);
        _state.NumInputTokensSeen += batch.NumTokens;
        _metrics.Set("num_tokens", _state.NumInputTokensSeen);
        _metrics.AppendAll(batch.Metrics.Where(m => !(_args.DynamicSampling && m.Key == "frac_reward_zero_std")));
        if (_args.DynamicSampling)
        {
            // The share of sampled groups dynamic sampling had to discard, and how many rounds it took.
            _metrics.Append("frac_reward_zero_std", (double)zeroGroups / sampledGroups);
            _metrics.Append("dynamic_sampling/rounds", rounds);
        }
        _lastReward = batch.Metrics.TryGetValue("reward", out double r) ? r : double.NaN;
        _roundTokens = batch.NumItemsInBatch;
        _roundSeconds = watch.Elapsed.TotalSeconds;
        _timings.Generation += _roundSeconds;
        _timings.Rewards = _rollouts.RewardSeconds;
        if (_args.LogCompletions)
            _lastBatchForLogging = (batch.PromptTexts, batch.CompletionTexts, batch.Rewards, batch.Advantages.data<float>().ToArray(), batch.PromptRow);
        return batch;
    }

    /// <summary>Row order of the batch: as generated, or shuffled (global RNG, like TRL) when it is split over several micro-steps.</summary>
    int[] MicroBatchOrder(int rows)
    {
        if (_plan.StepsPerGeneration == 1) return Enumerable.Range(0, rows).ToArray();
        using var perm = torch.randperm(rows, dtype: ScalarType.Int64);
        return perm.data<long>().Select(i => (int)i).ToArray();
    }

    void PrepareOffPolicyLogps(RolloutBatch batch)
    {
        var watch = Stopwatch.StartNew();
        if (_plan.NeedsOldLogps)
            batch.OldLogps = PolicyScorer.LogpsNoGrad(_policy.Model, batch, _plan.BatchSize, _options.Temperature);
        if (_options.Beta != 0)
        {
            if (_policy.Peft is null)
                throw new ConfigException("beta != 0 with full fine-tuning needs a separate reference model, which is not supported yet; use LoRA (the reference is the base model with adapters disabled) or beta: 0.");
            using var disabled = _policy.Peft.DisableAdapter();
            batch.RefLogps = PolicyScorer.LogpsNoGrad(_policy.Model, batch, _plan.BatchSize, _options.Temperature);
        }
        _timings.Scoring += watch.Elapsed.TotalSeconds;
    }

    void MicroStep(RolloutBatch batch, int[] rows)
    {
        var watch = Stopwatch.StartNew();
        using var scope = torch.NewDisposeScope();
        var micro = batch.Slice(rows);
        var (logps, entropies) = PolicyScorer.Score(_policy.Model, micro, _options.Temperature, withEntropies: true);
        using var result = GrpoLoss.Compute(new GrpoLossInputs
        {
            PerTokenLogps = logps,
            OldPerTokenLogps = micro.OldLogps,
            RefPerTokenLogps = micro.RefLogps,
            Advantages = micro.Advantages,
            CompletionMask = micro.CompletionMask,
            Entropies = entropies,
            NumItemsInBatch = batch.NumItemsInBatch,
        }, _options);
        double forward = watch.Elapsed.TotalSeconds;
        double loss = result.Loss.item<float>();
        if (!double.IsFinite(loss)) _stepNonFinite = true;
        else result.Loss.backward();
        _stepLoss += loss;
        _metrics.AppendAll(result.Metrics);
        _timings.Scoring += forward;
        _timings.Backward += watch.Elapsed.TotalSeconds - forward;
    }
}
