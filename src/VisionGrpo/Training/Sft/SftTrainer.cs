using System.Diagnostics;
using TorchSharp;
using VisionGrpo.Data;
using VisionGrpo.Data.Rng;
using VisionGrpo.Data.Validation;
using VisionGrpo.Models;
using VisionGrpo.Models.Qwen2;
using VisionGrpo.Models.Qwen2_5_VL;
using VisionGrpo.Training.Checkpoints;
using VisionGrpo.Training.Config;
using VisionGrpo.Training.Inputs;
using VisionGrpo.Training.Logging;
using VisionGrpo.Training.Optim;
using static TorchSharp.torch;

namespace VisionGrpo.Training.Sft;

/// <summary>What one finished run did.</summary>
/// <param name="GlobalStep">Optimizer steps taken.</param>
/// <param name="TrainLoss">Mean loss over all steps (the Trainer's <c>train_loss</c>).</param>
/// <param name="RuntimeSeconds">Wall time of the loop.</param>
/// <param name="OutputDir">Where the final model or adapter was saved.</param>
public sealed record SftResult(long GlobalStep, double TrainLoss, double RuntimeSeconds, string OutputDir);

/// <summary>
/// Supervised fine-tuning with TRL SFTTrainer semantics on prompt-completion rows: the GRPO prompt, a completion
/// column + EOS, cross-entropy on completion tokens only (<see cref="SftLoss"/>), AdamW with the HF schedule,
/// gradient clipping and accumulation, a seeded shuffle per epoch, TRL's log names (<c>loss</c>, <c>grad_norm</c>,
/// <c>learning_rate</c>, <c>num_tokens</c>, <c>mean_token_accuracy</c>, <c>epoch</c>) to <c>metrics.jsonl</c> and
/// TensorBoard (<see cref="TrainingLoggers"/>, as the GRPO trainer), <c>checkpoint-N</c> folders
/// (<see cref="CheckpointStore"/>) and a final save of the full model (in <c>save_dtype</c>) or of the LoRA adapter.
/// </summary>
public sealed class SftTrainer
{
    readonly PolicyModel _policy;
    readonly Dataset _train;
    readonly SftCollator _collator;
    readonly SftOptions _options;
    readonly TrainerEvents _events;
    readonly CheckpointStore _checkpoints;
    readonly UsableRows _usableRows;
    readonly string? _resumedFrom;
    readonly long _nonEmbeddingParameters;

    /// <summary>Creates a trainer.</summary>
    /// <param name="policy">The model being trained (full model or LoRA, as <see cref="PolicyModel.Load(PolicyLoadOptions, string?)"/> loads it).</param>
    /// <param name="train">Training rows.</param>
    /// <param name="collator">Builds prompt+completion batches.</param>
    /// <param name="options">The SFT options (a recipe maps onto them with <c>RecipeMapping.ToSftOptions</c>); validated here.</param>
    /// <param name="events">Progress and log callbacks.</param>
    /// <param name="resumeFrom">
    /// A checkpoint to continue from (<see cref="CheckpointToResume"/>); <paramref name="policy"/> must have been
    /// loaded from it (<c>PolicyModel.Load(options, resumeFrom)</c>).
    /// </param>
    /// <exception cref="ConfigException">An invalid option.</exception>
    public SftTrainer(PolicyModel policy, Dataset train, SftCollator collator, SftOptions options, TrainerEvents? events = null,
        string? resumeFrom = null)
    {
        _policy = policy ?? throw new ArgumentNullException(nameof(policy));
        _train = train ?? throw new ArgumentNullException(nameof(train));
        _collator = collator ?? throw new ArgumentNullException(nameof(collator));
        ArgumentNullException.ThrowIfNull(options);
        _options = options.Validate();
        if (train.Count == 0) throw new ArgumentException("the training set is empty.", nameof(train));
        // freeze_vision_tower / freeze_multi_modal_projector as LLaMA-Factory: the patch embedding and blocks, and
        // the merger. A from-scratch tower trained with the decoder collapses to a near-constant output (a large
        // shared component the format tokens use, with the image-specific part a few percent of it); frozen, its
        // random features keep the image information for the decoder to learn to read.
        if (policy.Model.visual is { } visual)
            foreach (var (name, p) in visual.named_parameters())
                if (name.StartsWith("merger.", StringComparison.Ordinal) ? options.FreezeMultiModalProjector : options.FreezeVisionTower)
                    p.requires_grad = false;
        _events = events ?? new TrainerEvents();
        _checkpoints = new CheckpointStore(_options.OutputDir);
        _usableRows = new UsableRows(train, new BadRowReport(), options.BadRows == BadRowPolicy.Fail, _events.Warning);
        _resumedFrom = resumeFrom;
        _nonEmbeddingParameters = NonEmbeddingParameters(policy.Model);
        State = new TrainerState
        {
            MaxSteps = MaxSteps, LoggingSteps = _options.LoggingSteps, SaveSteps = _options.SaveSteps,
            TrainBatchSize = _options.PerDeviceTrainBatchSize, NumTrainEpochs = Epochs,
        };
        if (resumeFrom is not null) CheckpointContents.RestoreState(resumeFrom, State);
    }

    /// <summary>
    /// The checkpoint <c>resume_from_checkpoint</c> names (<c>true</c>: the newest complete one in <c>output_dir</c>),
    /// or null for a fresh run.
    /// </summary>
    /// <exception cref="DirectoryNotFoundException">The named or newest checkpoint does not exist.</exception>
    public static string? CheckpointToResume(SftOptions options) =>
        new CheckpointStore(options.OutputDir).ResolveResume(options.ResumeFromCheckpoint);

    /// <summary>Progress and log history (saved as <c>trainer_state.json</c>).</summary>
    public TrainerState State { get; }

    /// <summary>Micro-batches per epoch (the last one may be short).</summary>
    public int MicroBatchesPerEpoch => (_train.Count + _options.PerDeviceTrainBatchSize - 1) / _options.PerDeviceTrainBatchSize;

    /// <summary>Optimizer steps per epoch: the Trainer's <c>len(dataloader) // ga + (len % ga &gt; 0)</c>, at least 1.</summary>
    public int UpdateStepsPerEpoch
    {
        get
        {
            int ga = _options.GradientAccumulationSteps;
            return Math.Max(1, MicroBatchesPerEpoch / ga + (MicroBatchesPerEpoch % ga > 0 ? 1 : 0));
        }
    }

    /// <summary>Total optimizer steps: <c>max_steps</c> when positive, else ⌈num_train_epochs · steps per epoch⌉.</summary>
    public long MaxSteps => _options.MaxSteps > 0 ? _options.MaxSteps : (long)Math.Ceiling(_options.NumTrainEpochs * UpdateStepsPerEpoch);

    /// <summary>Epochs the loop starts (the last may stop early).</summary>
    public long Epochs => (MaxSteps + UpdateStepsPerEpoch - 1) / UpdateStepsPerEpoch;

    /// <summary>Runs the training loop, saves the final model or adapter into <c>output_dir</c> and returns a summary.</summary>
    /// <exception cref="TrainingDivergedException">A non-finite loss or gradient norm with <c>skip_nonfinite_steps: false</c>.</exception>
    /// <exception cref="TrainingStoppedException">
    /// <paramref name="cancellationToken"/> was cancelled: the run stopped before the next optimizer step after saving a checkpoint.
    /// </exception>
    public SftResult Train(CancellationToken cancellationToken = default)
    {
        var clock = Stopwatch.StartNew();
        using var outputLock = OutputDirLock.Acquire(_options.OutputDir); // one writer per output_dir
        if (State.GlobalStep >= MaxSteps && TrainerState.FinishedSummary(_options.OutputDir, MaxSteps) is { } finished)
        {
            _events.Info?.Invoke($"'{_options.OutputDir}' holds a finished run of {MaxSteps} steps: nothing to do (raise max_steps to train on).");
            return new SftResult(State.GlobalStep, Convert.ToDouble(finished.GetValueOrDefault("train_loss") ?? double.NaN, System.Globalization.CultureInfo.InvariantCulture), 0, _options.OutputDir);
        }
        _checkpoints.RemoveStale();
        var scheduler = new LrScheduler(_options.LrSchedulerType, _options.LearningRate,
            LrScheduler.ResolveWarmupSteps((int)MaxSteps, _options.WarmupSteps, _options.WarmupRatio), (int)MaxSteps);
        using var optimizer = ITrainingOptimizer.CreateAdamW(_policy.TrainableParameters, _options.LearningRate,
            _options.AdamBeta1, _options.AdamBeta2, _options.AdamEpsilon, _options.WeightDecay);
        // Where the run stands: the next micro-batch (Position.Round) of an epoch's shuffled order, the loss sums and
        // the token accuracies not yet logged; saved in every checkpoint so a resumed run continues exactly.
        var progress = new TrainingProgress();
        if (_resumedFrom is not null)
        {
            CheckpointContents.RestoreOptimizer(_resumedFrom, optimizer, scheduler);
            progress = TrainingProgress.Load(Path.Combine(_resumedFrom, TrainingProgress.FileName));
        }
        optimizer.SetLearningRate(scheduler.CurrentLearningRate);
        using var loggers = TrainingLoggers.Open(_options.OutputDir, _options.ReportToTensorBoard, _options.LoggingDir, logCompletions: false,
            State, resuming: _resumedFrom is not null);
        if (_resumedFrom is null) loggers.WriteRunStart(_options.ConfigText(), _policy);
        else _events.Info?.Invoke($"resuming from {_resumedFrom} at step {State.GlobalStep}");
        var window = LogWindow.Restore(progress, State.GlobalStep);
        long startStep = State.GlobalStep, savedStep = -1;
        _policy.Model.train();

        for (long epoch = progress.Position.Epoch; epoch < Epochs && State.GlobalStep < MaxSteps; epoch++)
        {
            int[] order = new NumpyRandom(_options.Seed + epoch).Permutation(_train.Count);
            int microBatches = MicroBatchesPerEpoch;
            int start = epoch == progress.Position.Epoch ? progress.Position.Round : 0;
            for (int first = start; first < microBatches && State.GlobalStep < MaxSteps; first += _options.GradientAccumulationSteps)
            {
                // A stop request (SIGTERM) is honoured here, between optimizer steps, with a checkpoint to resume from.
                if (cancellationToken.IsCancellationRequested)
                    throw new TrainingStoppedException(State.GlobalStep, State.GlobalStep == startStep ? _checkpoints.Latest()
                        : savedStep == State.GlobalStep ? _checkpoints.PathFor(savedStep)
                        : SaveCheckpoint(optimizer, scheduler, window.Save(progress, State.GlobalStep)));
                var group = Enumerable.Range(first, Math.Min(_options.GradientAccumulationSteps, microBatches - first))
                    .Select(m => order.Skip(m * _options.PerDeviceTrainBatchSize).Take(_options.PerDeviceTrainBatchSize).ToArray()).ToList();
                // Dropout (LoRA's) draws from the global generator: seeded per step, so a resumed run repeats it.
                torch.manual_seed(_options.Seed ^ (0x5DEECE66DL + State.GlobalStep + progress.SkippedSteps));
                var stepClock = Stopwatch.StartNew();
                var (stepLoss, tokens) = ForwardBackward(group, window);
                double gradNorm = optimizer.ClipGradNorm(_options.MaxGradNorm);
                // A non-finite step is handled as in GRPO: stop, or skip the update but count the step and log it as NaN.
                bool skipped = NonFiniteSteps.Skip(State.GlobalStep + 1, stepLoss, gradNorm, knownBad: false, _options.SkipNonfiniteSteps,
                    _checkpoints, progress, _events.Warning);
                if (!skipped) optimizer.Step();
                optimizer.SetLearningRate(scheduler.Step());
                optimizer.ZeroGrad();
                State.GlobalStep++;
                bool epochEnd = first + group.Count >= microBatches;
                State.Epoch = epoch + (double)(first + group.Count) / microBatches;
                if (!skipped) progress.TotalLoss += stepLoss;
                window.Add(skipped ? double.NaN : stepLoss, skipped ? double.NaN : gradNorm);
                progress.Position = epochEnd ? new DataPosition((int)epoch + 1, 0, 0) : new DataPosition((int)epoch, first + group.Count, 0);
                bool last = State.GlobalStep == MaxSteps;
                if (State.GlobalStep % _options.LoggingSteps == 0 || (State.GlobalStep == 1 && _options.LoggingFirstStep) || last)
                    Log(loggers, window.Flush(scheduler.CurrentLearningRate, State.NumInputTokensSeen, progress));
                if (_options.SaveStrategy == IntervalStrategy.Steps && (State.GlobalStep % _options.SaveSteps == 0 || last)
                    || _options.SaveStrategy == IntervalStrategy.Epoch && (epochEnd || last))
                {
                    SaveCheckpoint(optimizer, scheduler, window.Save(progress, State.GlobalStep));
                    savedStep = State.GlobalStep;
                }
                _events.Step?.Invoke(new StepReport(State.GlobalStep, MaxSteps, State.Epoch, clock.Elapsed.TotalSeconds, double.NaN,
                    tokens / Math.Max(1e-9, stepClock.Elapsed.TotalSeconds), stepLoss));
                // The step's tensors are freed by their scopes; collecting now and then also returns the managed
                // wrappers, so native memory does not creep up over long runs.
                if (State.GlobalStep % 50 == 0) GC.Collect();
            }
        }

        double runtime = clock.Elapsed.TotalSeconds;
        double trainLoss = State.GlobalStep > 0 ? progress.TotalLoss / State.GlobalStep : double.NaN;
        OutputWrite.Run(_options.OutputDir, State.GlobalStep, SaveFinal);
        Log(loggers, State.TrainSummary(runtime, State.GlobalStep, _options.PerDeviceTrainBatchSize * _options.GradientAccumulationSteps, trainLoss));
        State.SaveFinal(_options.OutputDir);
        _events.Info?.Invoke($"saved the final {(_policy.Peft is null ? "model" : "adapter")} to {_options.OutputDir}");
        return new SftResult(State.GlobalStep, trainLoss, runtime, _options.OutputDir);
    }

    // Forward/backward over the micro-batches of one optimizer step: the step's token-mean loss and its completion tokens.
    (double Loss, long Tokens) ForwardBackward(IReadOnlyList<int[]> group, LogWindow window)
    {
        var batches = new List<SftBatch>();
        try
        {
            foreach (var indices in group) batches.Add(_usableRows.Build(indices, _collator.Build));
            // transformers' num_items_in_batch: every completion token of the step weighs the same.
            long items = Math.Max(1, batches.Sum(b => b.CompletionTokens));
            double loss = 0;
            foreach (var batch in batches)
            {
                using var scope = torch.NewDisposeScope();
                var output = _policy.Model.forward(new QwenVLInputs
                {
                    InputIds = batch.Inputs.InputIds,
                    AttentionMask = batch.Inputs.AttentionMask,
                    PixelValues = batch.Inputs.PixelValues,
                    ImageGridThw = batch.Inputs.ImageGridThw,
                    LogitsToKeep = LogitsToKeep.At(SftLoss.PredictingPositions(batch.Inputs.InputIds.shape[1], batch.CompletionIds.shape[1])),
                });
                var result = SftLoss.Compute(output.Logits, batch.CompletionIds, batch.CompletionMask);
                var scaled = result.Sum / items;
                scaled.backward();
                loss += scaled.item<float>();
                window.AddAccuracy(result.Tokens > 0 ? (double)result.Correct / result.Tokens : 0);
                State.NumInputTokensSeen += batch.InputTokens;
                State.TotalFlos += 6.0 * batch.Inputs.InputIds.numel() * _nonEmbeddingParameters;
            }
            return (loss, items);
        }
        finally
        {
            foreach (var b in batches) b.Dispose();
        }
    }

    // The Trainer's total_flos counts 6 x input_ids.numel() x the model's parameters without its nn.Embedding
    // weights (a tied LM head is that same weight) per micro-batch; GRPO's inputs have no input_ids, so TRL logs 0 there.
    static long NonEmbeddingParameters(QwenVLForConditionalGeneration model) =>
        model.parameters().Sum(p => p.numel()) - model.model.embed_tokens.weight!.numel();

    void Log(TrainingLoggers loggers, IEnumerable<KeyValuePair<string, object?>> logs)
    {
        var entry = State.AddLog(logs);
        loggers.Write(entry, State.GlobalStep);
        _events.Log?.Invoke(entry);
    }

    string SaveCheckpoint(ITrainingOptimizer optimizer, LrScheduler scheduler, TrainingProgress progress)
    {
        string path = _checkpoints.Save(State.GlobalStep, dir => CheckpointContents.Write(dir, _policy, _options.ConfigText(), _options.SaveOnlyModel, State, optimizer, scheduler,
            extra => progress.Save(Path.Combine(extra, TrainingProgress.FileName))), _options.SaveTotalLimit);
        _events.Info?.Invoke($"saved {path}");
        return path;
    }

    // TRL's trainer.save_model(output_dir): the adapter, or the full model in save_dtype.
    void SaveFinal()
    {
        File.WriteAllText(Path.Combine(_options.OutputDir, CheckpointContents.ArgsFile), _options.ConfigText());
        var model = _policy.Model;
        if (_policy.Peft is not null || _options.SaveDtype is not ScalarType dtype || dtype == model.DType)
        {
            _policy.Save(_options.OutputDir, _policy.BaseModelNameOrPath);
            return;
        }
        using var converted = new QwenVLForConditionalGeneration(model.Config, dtype);
        using (torch.no_grad())
        {
            var source = model.named_parameters().ToDictionary(p => p.name, p => p.parameter);
            foreach (var (name, target) in converted.named_parameters()) target.copy_(source[name]);
        }
        ModelFolder.Save(converted, _options.OutputDir, _policy.Folder);
    }

    // Metrics gathered between two log events, averaged the way the Trainer (loss) and TRL (accuracy) average them.
    sealed class LogWindow
    {
        double _loss, _gradNorm;
        int _steps;
        readonly List<double> _accuracies = [];

        public void Add(double loss, double gradNorm) { _loss += loss; _gradNorm = gradNorm; _steps++; }

        public void AddAccuracy(double accuracy) => _accuracies.Add(accuracy);

        public Dictionary<string, object?> Flush(double learningRate, long tokens, TrainingProgress progress)
        {
            var logs = new Dictionary<string, object?>
            {
                ["loss"] = Math.Round(_loss / Math.Max(1, _steps), 4),
                ["grad_norm"] = _gradNorm,
                ["learning_rate"] = learningRate,
                ["num_tokens"] = (double)tokens,
                ["mean_token_accuracy"] = _accuracies.Count > 0 ? _accuracies.Average() : 0.0,
            };
            NonFiniteSteps.AddCount(logs, progress);
            (_loss, _steps) = (0, 0);
            _accuracies.Clear();
            return logs;
        }

        // The window goes into the checkpoint's progress file (the grad norm is the next step's anyway).
        public TrainingProgress Save(TrainingProgress progress, long globalStep)
        {
            progress.LossSinceLog = _loss;
            progress.LastLoggedStep = globalStep - _steps;
            progress.Metrics = new System.Text.Json.Nodes.JsonArray([.. _accuracies.Select(a => (System.Text.Json.Nodes.JsonNode?)a)]);
            return progress;
        }

        public static LogWindow Restore(TrainingProgress progress, long globalStep)
        {
            var window = new LogWindow { _loss = progress.LossSinceLog, _steps = (int)(globalStep - progress.LastLoggedStep) };
            window._accuracies.AddRange(progress.Metrics.Select(a => a!.GetValue<double>()));
            return window;
        }
    }
}
