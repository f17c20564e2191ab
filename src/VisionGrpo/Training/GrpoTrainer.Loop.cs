using System.Diagnostics;
using TorchSharp;
using VisionGrpo.Generation;
using VisionGrpo.Lora;
using VisionGrpo.Training.Config;
using VisionGrpo.Training.Logging;
using VisionGrpo.Training.Loss;
using VisionGrpo.Training.Rollout;
using static TorchSharp.torch;

namespace VisionGrpo.Training;

public sealed partial class GrpoTrainer
{
    readonly Stopwatch _clock = new();
    RoundState? _round;   // the batch being trained on
    double _stepLoss;     // Σ micro-step losses of the current optimizer step
    bool _stepNonFinite;
    bool _stopAgreed;     // every rank was told (at the last step) that some rank must stop

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
        // Rank 0 alone writes the logs; the others keep the same state without writing it.
        using var loggers = _dp.IsRoot ? TrainingLoggers.Open(_args.OutputDir, _args.ReportToTensorBoard, _args.LoggingDir, _args.LogCompletions, _state, _resumedFrom is not null) : null;
        _loggers = loggers;
        if (_resumedFrom is null) loggers?.WriteRunStart(_args.ConfigText(), _policy);
        if (_policy.Peft is not null) _events.Info?.Invoke(_policy.Peft.TrainableParametersLine);
        _events.Info?.Invoke(StartMessage());
        _policy.Model.train();
        long startStep = _state.GlobalStep;
        while (_state.GlobalStep < MaxSteps)
        {
            if (_progress.MicroSteps % _plan.GradientAccumulation == 0 && StopRequested(cancellationToken)) Stop(startStep);
            int skip = _progress.MicroStepsIntoBatch;
            using var batch = NextBatch();
            var order = _round!.Order;
            PrepareOffPolicyLogps(batch);
            for (int micro = skip; micro < _plan.MicroStepsPerRound && _state.GlobalStep < MaxSteps; micro++)
            {
                var rows = order.AsSpan((micro % _plan.StepsPerGeneration) * _plan.BatchSize, _plan.BatchSize).ToArray();
                MicroStep(batch, rows, micro);
                _progress.MicroSteps++;
                // The data position moves past the batch only once it is used up: a checkpoint taken inside it
                // points at its start, so resuming re-enters the same batch.
                if (micro == _plan.MicroStepsPerRound - 1) (_progress.Position, _progress.MicroStepsIntoBatch) = (_round!.End, 0);
                else _progress.MicroStepsIntoBatch = micro + 1;
                if (_progress.MicroSteps % _plan.GradientAccumulation != 0) continue;
                OptimizerStep(cancellationToken);
                // Several ranks stop on the decision they shared at the step; one process also on a request that came since.
                bool stop = _stopAgreed || (_dp.Size == 1 && cancellationToken.IsCancellationRequested);
                if (stop && _state.GlobalStep < MaxSteps) Stop(startStep);
            }
        }
        var summary = Finish(startStep);
        _loggers = null;
        return summary;
    }

    /// <summary>Whether this rank — or, in a data-parallel job, any rank — was asked to stop (all ranks agree).</summary>
    bool StopRequested(CancellationToken ct) => _dp.ReduceStep(0, false, ct.IsCancellationRequested).Stop;

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
    /// drawn from the current data position on; what the trainer keeps of them is <see cref="_round"/>.
    /// </summary>
    RolloutBatch NextBatch()
    {
        var watch = Stopwatch.StartNew();
        var kept = new List<RolloutGroup>();
        var flat = new List<RolloutGroup>();
        int rounds = 0, sampledGroups = 0, zeroGroups = 0;
        var weights = _options.WeightsFor(_rewards.Count);
        var cursor = _progress.Position;
        long seed;
        int[] drawn;
        do
        {
            // Every rank draws the same round and samples its contiguous share of the completions.
            drawn = _sampler.Round(cursor.Epoch, cursor.Round);
            var slice = _dp.CompletionsOf(drawn.Length * _plan.NumGenerations, _plan.NumGenerations);
            var (firstPrompt, prompts) = slice.Prompts;
            var indices = drawn.AsSpan(firstPrompt, prompts).ToArray();
            // Every random stream of the round (sampling, LoRA dropout in rollouts and scoring, vision tower included,
            // row order) is keyed by this seed and global indices; torch's generator is not drawn from.
            long roundSeed = seed = RoundSeed(_args.Seed, cursor.RoundsSampled);
            // Not cancellable: a stop request waits for the step boundary, where a checkpoint can be written.
            var groups = _usableRows.Build(indices, rows => _rollouts.Sample(rows, roundSeed, CancellationToken.None, slice.First, slice.Count));
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

        // Keep the batch shape fixed: surplus groups are dropped, missing ones filled with zero-signal groups.
        var chosen = kept.Concat(flat).Take(_plan.PromptsPerRound).ToList();
        foreach (var g in kept.Concat(flat).Skip(_plan.PromptsPerRound)) g.Dispose();
        // With several ranks, advantages and metrics cover the whole round: every rank gathers every group's outcome.
        var (trainRows, order) = RoundRows.Assign(_plan, _dp.Rank, seed, sameMicroBatches: _options.TopEntropyQuantile < 1);
        (IReadOnlyList<GroupOutcome>, int[])? round = null;
        if (_dp.Size > 1)
        {
            round = (GroupOutcome.Gather(_dp.Comm, chosen), trainRows);
            // Rows another rank generated: their prompts are built here (the completions came with the gather).
            var missing = trainRows.Select(k => k / _plan.NumGenerations).Distinct().Except(chosen.Select(g => g.Prompt)).ToArray();
            if (missing.Length > 0) chosen.AddRange(_usableRows.Build(missing.Select(p => drawn[p]).ToArray(), r => _rollouts.Prompts(r, missing, seed)));
        }
        var batch = RolloutAssembler.Assemble(chosen, _rollouts.RewardNames, _options,
            _generation.EosTokenIds[0], _generation.PadTokenId, _policy.Device, _events.Warning, round);
        _state.NumInputTokensSeen += batch.NumTokens;
        _metrics.Set("num_tokens", _state.NumInputTokensSeen);
        _metrics.AppendAll(batch.Metrics.Where(m => !(_args.DynamicSampling && m.Key == "frac_reward_zero_std")));
        if (_args.DynamicSampling)
        {
            // The share of sampled groups dynamic sampling had to discard, and how many rounds it took.
            _metrics.Append("frac_reward_zero_std", (double)zeroGroups / sampledGroups);
            _metrics.Append("dynamic_sampling/rounds", rounds);
        }
        _round = new RoundState(cursor, seed, trainRows, order, batch.Metrics.TryGetValue("reward", out double r) ? r : double.NaN,
            batch.NumItemsInBatch, watch.Elapsed.TotalSeconds, _args.LogCompletions ? batch.Round : null);
        _timings.Generation += _round.Seconds;
        _timings.Rewards = _rollouts.RewardSeconds;
        return batch;
    }

    /// <summary>Separates the scoring passes' dropout keys from the rollouts'.</summary>
    const long ScoringDropout = 0x53434F52; // "SCOR"

    /// <summary>
    /// LoRA dropout key of a batch row in scoring pass <paramref name="pass"/> of the round (−1: the old-log-prob
    /// pass, else the micro-step): (round seed, global completion index, pass), the same on any number of ranks.
    /// </summary>
    Func<int, ulong> ScoringKey(int pass)
    {
        var rows = _round!.Rows;
        long seed = _round.Seed;
        return row => CounterRandom.Key(seed, ScoringDropout, rows[row], pass);
    }

    void PrepareOffPolicyLogps(RolloutBatch batch)
    {
        var watch = Stopwatch.StartNew();
        if (_plan.NeedsOldLogps)
            batch.OldLogps = PolicyScorer.LogpsNoGrad(_policy.Model, batch, _plan.BatchSize, _options.Temperature, ScoringKey(-1));
        if (_options.Beta != 0)
        {
            if (_policy.Peft is null)
                throw new ConfigException("beta != 0 with full fine-tuning needs a separate reference model, which is not supported yet; use LoRA (the reference is the base model with adapters disabled) or beta: 0.");
            using var disabled = _policy.Peft.DisableAdapter();
            batch.RefLogps = PolicyScorer.LogpsNoGrad(_policy.Model, batch, _plan.BatchSize, _options.Temperature);
        }
        _timings.Scoring += watch.Elapsed.TotalSeconds;
    }

    void MicroStep(RolloutBatch batch, int[] rows, int pass)
    {
        var watch = Stopwatch.StartNew();
        using var scope = torch.NewDisposeScope();
        var micro = batch.Slice(rows);
        // LoRA dropout keyed by (round, global completion index, micro-step of the round), as the rollouts' are.
        var (logps, entropies) = PolicyScorer.Score(_policy.Model, micro, _options.Temperature, withEntropies: true, rows.Select(ScoringKey(pass)).ToArray());
        using var result = GrpoLoss.Compute(new GrpoLossInputs
        {
            PerTokenLogps = logps,
            OldPerTokenLogps = micro.OldLogps,
            RefPerTokenLogps = micro.RefLogps,
            Advantages = micro.Advantages,
            CompletionMask = micro.CompletionMask,
            Entropies = entropies,
            // dapo/cispo/vespo: each rank divides by the round's token count / N (TRL), the gradient mean restores Σ / count.
            NumItemsInBatch = _dp.NumItemsPerRank(batch.NumItemsInBatch),
            GatherEntropies = _dp.Size > 1 ? _dp.GatherEntropies : null,
        }, _options);
        double forward = watch.Elapsed.TotalSeconds;
        double loss = result.Loss.item<float>();
        if (!double.IsFinite(loss)) _stepNonFinite = true;
        else result.Loss.backward();
        _stepLoss += loss;
        _metrics.AppendAll(_dp.ReduceLossMetrics(result.Metrics, micro.CompletionMask.sum().item<long>()));
        _timings.Scoring += forward;
        _timings.Backward += watch.Elapsed.TotalSeconds - forward;
    }
}
