using System.Diagnostics;
using TorchSharp;
using VisionGrpo.Training.Checkpoints;
using VisionGrpo.Training.Config;
using VisionGrpo.Training.Logging;
using VisionGrpo.Training.Optim;

namespace VisionGrpo.Training;

public sealed partial class GrpoTrainer
{
    TrainingLoggers? _loggers;
    long _savedStep = -1;
    StepTimings _timings = new();

    /// <summary>Seconds spent per phase since the run (or resume) started.</summary>
    public StepTimings Timings => _timings;

    void OptimizerStep(CancellationToken ct)
    {
        var watch = Stopwatch.StartNew();
        // Data-parallel: the mean gradient (one bucket), and one decision for all ranks on loss, non-finite and stop.
        _dp.AverageGradients(_policy.TrainableParameters.Select(p => (torch.Tensor)p.Parameter).ToArray());
        (_stepLoss, _stepNonFinite, _stopAgreed) = _dp.ReduceStep(_stepLoss, _stepNonFinite, ct.IsCancellationRequested);
        _timings.Communication += watch.Elapsed.TotalSeconds;
        double gradNorm = _optimizer.ClipGradNorm(_args.MaxGradNorm);
        long step = _state.GlobalStep + 1;
        bool bad = NonFiniteSteps.Skip(step, _stepLoss, gradNorm, _stepNonFinite, _args.SkipNonfiniteSteps, _checkpoints, _progress, _events.Warning);
        if (!bad) _optimizer.Step();
        _optimizer.SetLearningRate(_scheduler.Step());
        _optimizer.ZeroGrad();
        _timings.Optimizer += watch.Elapsed.TotalSeconds;

        _state.GlobalStep = step;
        _state.Epoch = EpochAt();
        // A skipped step logs NaN (what its loss was), not 0.0, and is left out of train_loss.
        double loss = bad ? double.NaN : _stepLoss;
        _progress.LossSinceLog += loss;
        if (!bad) _progress.TotalLoss += loss;
        if (_options.Compat == Config.TrlCompat.V1_9) _metrics.Append("step_time", _timings.SinceLastStep());
        else _timings.SinceLastStep();
        _events.Step?.Invoke(new StepReport(step, MaxSteps, _state.Epoch, _clock.Elapsed.TotalSeconds, _round!.Reward,
            _round.TokensPerSecond, loss));
        _stepLoss = 0;
        _stepNonFinite = false;

        bool last = step >= MaxSteps;
        bool epochEnd = _progress.Position.Round == 0 && _progress.MicroStepsIntoBatch == 0;
        if (ShouldLog(step)) Log(bad ? double.NaN : gradNorm);
        // Ranks skip or cut short an evaluation together (it gathers): on the stop they agreed, not on their own signal.
        var evalToken = _dp.Size == 1 ? ct : CancellationToken.None;
        if (ShouldEvaluate(step, epochEnd) && !_stopAgreed && !evalToken.IsCancellationRequested)
        {
            try { Evaluate(evalToken); }
            catch (OperationCanceledException) when (evalToken.IsCancellationRequested) { } // stopping: the checkpoint matters more
        }
        if (ShouldSave(step, epochEnd, last)) SaveCheckpoint();
    }

    /// <summary>Fractional epoch: the data position, plus the used share of the current batch's rounds.</summary>
    double EpochAt()
    {
        int perEpoch = _sampler.RoundsPerEpoch;
        double start = _progress.Position.Rounds(perEpoch);
        if (_progress.MicroStepsIntoBatch > 0)
            start += (_round!.End.Rounds(perEpoch) - start) * _progress.MicroStepsIntoBatch / _plan.MicroStepsPerRound;
        return start / perEpoch;
    }

    bool ShouldLog(long step) =>
        (_args.LoggingSteps > 0 && step % _args.LoggingSteps == 0) || (_args.LoggingFirstStep && step == 1);

    bool ShouldEvaluate(long step, bool epochEnd) => _data.Test is not null && _args.EvalStrategy switch
    {
        IntervalStrategy.Steps => step % Math.Max(_args.EvalSteps ?? _args.LoggingSteps, 1) == 0,
        IntervalStrategy.Epoch => epochEnd,
        _ => false,
    };

    bool ShouldSave(long step, bool epochEnd, bool last) => _args.SaveStrategy switch
    {
        IntervalStrategy.Steps => step % _args.SaveSteps == 0 || last,
        IntervalStrategy.Epoch => epochEnd,
        _ => false,
    };

    void Log(double gradNorm)
    {
        long step = _state.GlobalStep;
        var logs = new List<KeyValuePair<string, object?>>
        {
            new("loss", Math.Round(_progress.LossSinceLog / (step - _progress.LastLoggedStep), 4)),
            new("grad_norm", gradNorm),
            new("learning_rate", _optimizer.LearningRate),
        };
        logs.AddRange(_metrics.Drain(_options.Compat));
        NonFiniteSteps.AddCount(logs, _progress);
        var entry = _state.AddLog(logs);
        _progress.LossSinceLog = 0;
        _progress.LastLoggedStep = step;
        _loggers?.Write(entry, step);
        _events.Log?.Invoke(entry);
        if (_loggers is not null && _args.LogCompletions && _round?.Log is { } b)
        {
            // Every completion of the last generation batch is saved (TRL's deque of generation_batch_size); the first
            // num_completions_to_print are shown.
            var samples = Enumerable.Range(0, b.CompletionTexts.Length).Select(i => new CompletionSample(step, b.PromptTexts[b.PromptRow[i]], b.CompletionTexts[i],
                b.Rewards.ToDictionary(kv => kv.Key, kv => kv.Value[i]), b.Advantages[i])).ToList();
            _loggers.WriteCompletions(samples);
            _events.Completions?.Invoke(samples.Take(_args.NumCompletionsToPrint ?? samples.Count).ToList());
        }
    }

    string SaveCheckpoint()
    {
        // Rank 0 writes; a checkpoint holds nothing rank-specific (positions and metric buffers are global, random
        // streams are keyed), so any number of ranks resumes from it.
        if (!_dp.IsRoot)
        {
            _savedStep = _state.GlobalStep;
            return _checkpoints.PathFor(_state.GlobalStep);
        }
        string path = _checkpoints.Save(_state.GlobalStep, dir =>
        {
            CheckpointContents.Write(dir, _policy, _args.ConfigText(), _args.SaveOnlyModel, _state, _optimizer, _scheduler, extra =>
            {
                _progress.Metrics = _metrics.ToJson();
                _progress.Save(Path.Combine(extra, TrainingProgress.FileName));
            });
        }, _args.SaveTotalLimit);
        _savedStep = _state.GlobalStep;
        _events.Info?.Invoke($"saved {path}");
        return path;
    }

    void Restore(string checkpoint)
    {
        CheckpointContents.RestoreState(checkpoint, _state);
        CheckpointContents.RestoreOptimizer(checkpoint, _optimizer, _scheduler);
        _progress = TrainingProgress.Load(Path.Combine(checkpoint, TrainingProgress.FileName));
        _metrics.Restore(_progress.Metrics);
    }

    IReadOnlyDictionary<string, object?> Finish(long startStep)
    {
        double runtime = _clock.Elapsed.TotalSeconds;
        long steps = _state.GlobalStep - startStep;
        if (_dp.IsRoot) OutputWrite.Run(_args.OutputDir, _state.GlobalStep, () => CheckpointContents.WriteModel(_args.OutputDir, _policy, _args.ConfigText()));
        var entry = _state.AddLog(_state.TrainSummary(runtime, steps, _plan.BatchSize * _plan.WorldSize * _plan.GradientAccumulation,
            _state.GlobalStep > 0 ? _progress.TotalLoss / _state.GlobalStep : 0.0));
        _loggers?.Write(entry, _state.GlobalStep);
        if (_dp.IsRoot) _state.SaveFinal(_args.OutputDir);
        _events.Log?.Invoke(entry);
        _events.Info?.Invoke($"saved the final {(_policy.Peft is null ? "model" : "adapter")} to {_args.OutputDir}");
        string ranks = _dp.Size > 1 ? $"; {_dp.Size} ranks ({_dp.Comm.Description})" : "";
        _events.Info?.Invoke(string.Create(System.Globalization.CultureInfo.InvariantCulture,
            $"time: generation {_timings.Generation:F1} s (rewards {_timings.Rewards:F1} s), scoring {_timings.Scoring:F1} s, backward {_timings.Backward:F1} s, optimizer {_timings.Optimizer:F1} s (gradient allreduce {_timings.Communication:F3} s), evaluation {_timings.Evaluation:F1} s{ranks}"));
        return entry;
    }
}

/// <summary>Wall-clock seconds per training phase (generation includes rewards and advantages).</summary>
public sealed class StepTimings
{
    double _markedTotal;
    /// <summary>Rollouts: prompts, sampling, rewards, advantages.</summary>
    public double Generation { get; set; }
    /// <summary>The part of <see cref="Generation"/> spent in reward functions.</summary>
    public double Rewards { get; set; }
    /// <summary>Forward passes that score completions (loss forward, old/ref log-probs).</summary>
    public double Scoring { get; set; }
    /// <summary>Backward passes.</summary>
    public double Backward { get; set; }
    /// <summary>Clipping, optimizer and scheduler steps (the gradient allreduce included).</summary>
    public double Optimizer { get; set; }
    /// <summary>The part of <see cref="Optimizer"/> spent averaging gradients and agreeing on the step across ranks.</summary>
    public double Communication { get; set; }
    /// <summary>Evaluation.</summary>
    public double Evaluation { get; set; }
    /// <summary>All training phases (evaluation excluded).</summary>
    public double Total => Generation + Scoring + Backward + Optimizer;

    /// <summary>Seconds of training work since the previous call (TRL's <c>step_time</c>).</summary>
    public double SinceLastStep()
    {
        double now = Total, delta = now - _markedTotal;
        _markedTotal = now;
        return delta;
    }
}
