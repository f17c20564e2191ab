using System.Text.Json.Nodes;

namespace VisionGrpo.Training.Optim;

/// <summary>
/// transformers' <c>get_scheduler</c> schedules as a <c>LambdaLR</c>: lr = base_lr · λ(step), with step counting
/// optimizer steps from 0 (construction) and advanced by <see cref="Step"/> after each optimizer step. The λ
/// formulas follow transformers' operation order, so values agree with PyTorch's to the last bit.
/// </summary>
internal sealed class LrScheduler
{
    /// <summary>Schedule kind.</summary>
    public LrSchedulerType Type { get; }

    /// <summary>Initial learning rate (<c>learning_rate</c>).</summary>
    public double BaseLr { get; }

    /// <summary>Warmup optimizer steps (after resolving <c>warmup_ratio</c>).</summary>
    public int WarmupSteps { get; }

    /// <summary>Total optimizer steps of the run.</summary>
    public int TrainingSteps { get; }

    /// <summary>Optimizer steps taken so far (PyTorch's <c>last_epoch</c>).</summary>
    public int LastStep { get; private set; }

    /// <summary>Creates a schedule at step 0.</summary>
    /// <exception cref="ArgumentException">Negative step counts or a non-positive learning rate.</exception>
    public LrScheduler(LrSchedulerType type, double baseLr, int warmupSteps, int trainingSteps)
    {
        if (!(baseLr >= 0) || !double.IsFinite(baseLr)) throw new ArgumentException($"learning_rate must be ≥ 0 (got {baseLr}).");
        if (warmupSteps < 0) throw new ArgumentException($"warmup_steps must be ≥ 0 (got {warmupSteps}).");
        if (trainingSteps < 0) throw new ArgumentException($"the number of training steps must be ≥ 0 (got {trainingSteps}).");
        (Type, BaseLr, WarmupSteps, TrainingSteps) = (type, baseLr, warmupSteps, trainingSteps);
    }

    /// <summary>
    /// TrainingArguments.get_warmup_steps: <paramref name="warmupSteps"/> if &gt; 0, else ⌈steps · <paramref name="warmupRatio"/>⌉.
    /// </summary>
    public static int ResolveWarmupSteps(int trainingSteps, int warmupSteps, double warmupRatio)
    {
        if (!(warmupRatio >= 0 && warmupRatio <= 1)) throw new ArgumentException($"warmup_ratio must be in [0, 1] (got {warmupRatio}).");
        return warmupSteps > 0 ? warmupSteps : (int)Math.Ceiling(trainingSteps * warmupRatio);
    }

    /// <summary>The multiplier λ(step).</summary>
    public double Lambda(int step)
    {
        int w = WarmupSteps, t = TrainingSteps;
        switch (Type)
        {
            case LrSchedulerType.Constant:
                return 1.0;
            case LrSchedulerType.ConstantWithWarmup:
                return step < w ? (double)step / Math.Max(1.0, w) : 1.0;
            case LrSchedulerType.Linear:
                if (step < w) return (double)step / Math.Max(1, w);
                return Math.Max(0.0, (double)(t - step) / Math.Max(1, t - w));
            default:
                if (step < w) return (double)step / Math.Max(1, w);
                double progress = (double)(step - w) / Math.Max(1, t - w);
                const double numCycles = 0.5;
                return Math.Max(0.0, 0.5 * (1.0 + Math.Cos(Math.PI * numCycles * 2.0 * progress)));
        }
    }

    /// <summary>Learning rate at <paramref name="step"/>.</summary>
    public double LearningRateAt(int step) => BaseLr * Lambda(step);

    /// <summary>Current learning rate (<c>get_last_lr()[0]</c>, what the Trainer logs as <c>learning_rate</c>).</summary>
    public double CurrentLearningRate => LearningRateAt(LastStep);

    /// <summary>Advances one optimizer step; returns the new learning rate.</summary>
    public double Step()
    {
        LastStep++;
        return CurrentLearningRate;
    }

    /// <summary>State for a checkpoint (<c>scheduler.json</c>): type, base lr, warmup, total and the step.</summary>
    public JsonObject StateDict() => new()
    {
        ["lr_scheduler_type"] = Type.Name(),
        ["base_lrs"] = new JsonArray(BaseLr),
        ["warmup_steps"] = WarmupSteps,
        ["num_training_steps"] = TrainingSteps,
        ["last_epoch"] = LastStep,
        ["_last_lr"] = new JsonArray(CurrentLearningRate),
    };

    /// <summary>Restores <see cref="LastStep"/> from <see cref="StateDict"/> output, checking the schedule matches.</summary>
    /// <exception cref="InvalidDataException">The saved schedule differs from this one.</exception>
    public void LoadStateDict(JsonObject state)
    {
        string savedType = state["lr_scheduler_type"]?.GetValue<string>() ?? "";
        int savedTotal = state["num_training_steps"]?.GetValue<int>() ?? -1;
        if (savedType != Type.Name() || savedTotal != TrainingSteps)
            throw new InvalidDataException(
                $"checkpoint scheduler is '{savedType}' over {savedTotal} steps, but this run uses '{Type.Name()}' over {TrainingSteps} steps.");
        LastStep = state["last_epoch"]?.GetValue<int>() ?? throw new InvalidDataException("scheduler state has no last_epoch.");
    }
}
