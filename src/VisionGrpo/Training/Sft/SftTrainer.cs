using System.Diagnostics;
using System.Globalization;
using TorchSharp;
using VisionGrpo.Data;
using VisionGrpo.Data.Rng;
using VisionGrpo.Models;
using VisionGrpo.Models.Qwen2;
using VisionGrpo.Models.Qwen2_5_VL;
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
/// TensorBoard, <c>checkpoint-N</c> folders with <c>trainer_state.json</c>, and a final save of the full model (in
/// <c>save_dtype</c>) or of the LoRA adapter.
/// </summary>
public sealed class SftTrainer
{
    /// <summary>File name of the per-log JSON lines in the output folder.</summary>
    public const string MetricsFileName = "metrics.jsonl";

    readonly PolicyModel _policy;
    readonly Dataset _train;
    readonly SftCollator _collator;
    readonly SftOptions _options;
    readonly string? _baseModelNameOrPath;

    /// <summary>Creates a trainer.</summary>
    /// <param name="policy">The model being trained (full model or LoRA, as loaded from the recipe).</param>
    /// <param name="train">Training rows.</param>
    /// <param name="collator">Builds prompt+completion batches.</param>
    /// <param name="options">Loop, optimizer, logging and saving options.</param>
    /// <param name="baseModelNameOrPath">Written into a saved adapter's config (<c>base_model_name_or_path</c>).</param>
    public SftTrainer(PolicyModel policy, Dataset train, SftCollator collator, SftOptions options, string? baseModelNameOrPath = null)
    {
        _policy = policy ?? throw new ArgumentNullException(nameof(policy));
        _train = train ?? throw new ArgumentNullException(nameof(train));
        _collator = collator ?? throw new ArgumentNullException(nameof(collator));
        _options = options ?? throw new ArgumentNullException(nameof(options));
        _options.Validate();
        if (train.Count == 0) throw new ArgumentException("the training set is empty.", nameof(train));
        _baseModelNameOrPath = baseModelNameOrPath;
        State = new TrainerState
        {
            MaxSteps = MaxSteps, LoggingSteps = options.LoggingSteps, SaveSteps = options.SaveSteps,
            TrainBatchSize = options.BatchSize, NumTrainEpochs = Epochs,
        };
    }

    /// <summary>Called with each log dictionary (metrics, then <c>epoch</c> and <c>step</c>), as written to metrics.jsonl.</summary>
    public Action<IReadOnlyDictionary<string, object?>>? OnLog { get; set; }

    /// <summary>Called after each optimizer step with the step number and the total.</summary>
    public Action<long, long>? OnStep { get; set; }

    /// <summary>Progress and log history (saved as <c>trainer_state.json</c>).</summary>
    public TrainerState State { get; }

    /// <summary>Micro-batches per epoch (the last one may be short).</summary>
    public int MicroBatchesPerEpoch => (_train.Count + _options.BatchSize - 1) / _options.BatchSize;

    /// <summary>Optimizer steps per epoch: the Trainer's <c>len(dataloader) // ga + (len % ga > 0)</c>, at least 1.</summary>
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
    /// <exception cref="InvalidOperationException">A non-finite loss or gradient norm with <c>skip_nonfinite_steps: false</c>.</exception>
    public SftResult Train(CancellationToken cancellationToken = default)
    {
        Directory.CreateDirectory(_options.OutputDir);
        var clock = Stopwatch.StartNew();
        var scheduler = new LrScheduler(_options.LrSchedulerType, _options.LearningRate,
            LrScheduler.ResolveWarmupSteps((int)MaxSteps, _options.WarmupSteps, _options.WarmupRatio), (int)MaxSteps);
        using var optimizer = new AdamWOptimizer(_policy.TrainableParameters, _options.LearningRate,
            _options.AdamBeta1, _options.AdamBeta2, _options.AdamEpsilon, _options.WeightDecay);
        optimizer.SetLearningRate(scheduler.CurrentLearningRate);
        using var metrics = new MetricsJsonlWriter(Path.Combine(_options.OutputDir, MetricsFileName));
        using var tensorBoard = _options.TensorBoard
            ? new TensorBoardWriter(_options.LoggingDir ?? TensorBoardWriter.DefaultLogDir(_options.OutputDir, DateTime.Now))
            : null;
        var window = new LogWindow();
        double totalLoss = 0;
        _policy.Model.train();

        for (long epoch = 0; epoch < Epochs && State.GlobalStep < MaxSteps; epoch++)
        {
            int[] order = new NumpyRandom(_options.Seed + epoch).Permutation(_train.Count);
            var microBatches = Enumerable.Range(0, MicroBatchesPerEpoch)
                .Select(m => order.Skip(m * _options.BatchSize).Take(_options.BatchSize).ToArray()).ToList();
            for (int first = 0; first < microBatches.Count && State.GlobalStep < MaxSteps; first += _options.GradientAccumulationSteps)
            {
                cancellationToken.ThrowIfCancellationRequested();
                var group = microBatches.Skip(first).Take(_options.GradientAccumulationSteps).ToList();
                double stepLoss = ForwardBackward(group, window);
                double gradNorm = optimizer.ClipGradNorm(_options.MaxGradNorm);
                if (!double.IsFinite(stepLoss) || !double.IsFinite(gradNorm))
                {
                    if (!_options.SkipNonfiniteSteps)
                        throw new InvalidOperationException(
                            $"step {State.GlobalStep + 1}: loss {stepLoss} / grad_norm {gradNorm} is not finite; lower learning_rate or set skip_nonfinite_steps: true.");
                    optimizer.ZeroGrad();
                    continue;
                }
                optimizer.Step();
                optimizer.SetLearningRate(scheduler.Step());
                optimizer.ZeroGrad();
                State.GlobalStep++;
                State.Epoch = epoch + (double)Math.Min(first + group.Count, microBatches.Count) / microBatches.Count;
                totalLoss += stepLoss;
                window.Add(stepLoss, gradNorm);
                if (State.GlobalStep % _options.LoggingSteps == 0 || (State.GlobalStep == 1 && _options.LoggingFirstStep) || State.GlobalStep == MaxSteps)
                    Log(window.Flush(scheduler.CurrentLearningRate, State.NumInputTokensSeen), metrics, tensorBoard);
                bool lastStep = State.GlobalStep == MaxSteps;
                if (_options.SaveStrategy == "steps" && (State.GlobalStep % _options.SaveSteps == 0 || lastStep)
                    || _options.SaveStrategy == "epoch" && (first + group.Count >= microBatches.Count || lastStep))
                    SaveCheckpoint(optimizer, scheduler);
                OnStep?.Invoke(State.GlobalStep, MaxSteps);

                // Each step's objects (including the backward graph's) are freed by their scopes; a collection
                // now and then returns the managed wrappers so native memory does not creep up over long runs.
                if (State.GlobalStep % 50 == 0) GC.Collect();
            }
        }

        double runtime = clock.Elapsed.TotalSeconds;
        double trainLoss = State.GlobalStep > 0 ? totalLoss / State.GlobalStep : double.NaN;
        Log(new Dictionary<string, object?>
        {
            ["train_runtime"] = Math.Round(runtime, 4),
            ["train_samples_per_second"] = Math.Round(State.GlobalStep * (double)_options.BatchSize * _options.GradientAccumulationSteps / runtime, 3),
            ["train_steps_per_second"] = Math.Round(State.GlobalStep / runtime, 3),
            ["total_flos"] = 0.0,
            ["train_loss"] = trainLoss,
        }, metrics, tensorBoard);
        SaveFinal();
        State.Save(Path.Combine(_options.OutputDir, "trainer_state.json"));
        return new SftResult(State.GlobalStep, trainLoss, runtime, _options.OutputDir);
    }

    // Forward/backward over the micro-batches of one optimizer step; returns the step's token-mean loss.
    double ForwardBackward(IReadOnlyList<int[]> group, LogWindow window)
    {
        var batches = new List<SftBatch>();
        try
        {
            foreach (var indices in group) batches.Add(_collator.Build(indices.Select(i => _train[i]).ToList()));
            // transformers' num_items_in_batch: every completion token of the step weighs the same.
            long items = Math.Max(1, batches.Sum(b => b.CompletionTokens));
            double loss = 0;
            foreach (var batch in batches)
            {
                using var scope = torch.NewDisposeScope();
                var output = _policy.Model.forward(new Qwen2_5_VLInputs
                {
                    InputIds = batch.Inputs.InputIds,
                    AttentionMask = batch.Inputs.AttentionMask,
                    PixelValues = batch.Inputs.PixelValues,
                    ImageGridThw = batch.Inputs.ImageGridThw,
                    LogitsToKeep = LogitsToKeep.LastN((int)batch.CompletionIds.shape[1] + 1),
                });
                var result = SftLoss.Compute(output.Logits, batch.CompletionIds, batch.CompletionMask);
                var scaled = result.Sum / items;
                scaled.backward();
                loss += scaled.item<float>();
                window.AddAccuracy(result.Tokens > 0 ? (double)result.Correct / result.Tokens : 0);
                State.NumInputTokensSeen += batch.InputTokens;
            }
            return loss;
        }
        finally
        {
            foreach (var b in batches) b.Dispose();
        }
    }

    void Log(Dictionary<string, object?> logs, MetricsJsonlWriter metrics, TensorBoardWriter? tensorBoard)
    {
        var entry = State.AddLog(logs);
        metrics.Write(entry);
        if (tensorBoard is not null)
        {
            tensorBoard.LogMetrics(entry.Where(kv => kv.Key != "step"), State.GlobalStep);
            tensorBoard.Flush();
        }
        OnLog?.Invoke(entry);
    }

    void SaveCheckpoint(AdamWOptimizer optimizer, LrScheduler scheduler)
    {
        string dir = Path.Combine(_options.OutputDir, CheckpointPrefix + State.GlobalStep.ToString(CultureInfo.InvariantCulture));
        _policy.Save(dir, _baseModelNameOrPath);
        if (!_options.SaveOnlyModel)
        {
            optimizer.Save(Path.Combine(dir, AdamWOptimizer.StateFileName));
            File.WriteAllText(Path.Combine(dir, "scheduler.json"), scheduler.StateDict().ToJsonString() + "\n");
        }
        State.Save(Path.Combine(dir, "trainer_state.json"));
        RotateCheckpoints();
    }

    const string CheckpointPrefix = "checkpoint-";

    void RotateCheckpoints()
    {
        if (_options.SaveTotalLimit is not int limit) return;
        var checkpoints = Directory.GetDirectories(_options.OutputDir, CheckpointPrefix + "*")
            .Select(d => (Dir: d, Step: long.TryParse(Path.GetFileName(d)[CheckpointPrefix.Length..], NumberStyles.None, CultureInfo.InvariantCulture, out long s) ? s : -1))
            .Where(c => c.Step >= 0).OrderBy(c => c.Step).ToList();
        foreach (var (dir, _) in checkpoints.Take(Math.Max(0, checkpoints.Count - limit)))
            Directory.Delete(dir, recursive: true);
    }

    // TRL's trainer.save_model(output_dir): the adapter, or the full model in save_dtype.
    void SaveFinal()
    {
        var model = _policy.Model;
        if (_policy.Peft is not null || _options.SaveDtype is not ScalarType dtype || dtype == model.DType)
        {
            _policy.Save(_options.OutputDir, _baseModelNameOrPath);
            return;
        }
        using var converted = new Qwen2_5_VLForConditionalGeneration(model.Config, dtype);
        using (torch.no_grad())
        {
            var source = model.named_parameters().ToDictionary(p => p.name, p => p.parameter);
            foreach (var (name, target) in converted.named_parameters()) target.copy_(source[name]);
        }
        ModelFolder.Save(converted, _options.OutputDir, _policy.Folder);
    }

    // Metrics gathered between two log events, averaged the way the Trainer/TRL average them.
    sealed class LogWindow
    {
        double _loss, _gradNorm;
        int _steps;
        readonly List<double> _accuracies = [];

        public void Add(double loss, double gradNorm) { _loss += loss; _gradNorm = gradNorm; _steps++; }

        public void AddAccuracy(double accuracy) => _accuracies.Add(accuracy);

        public Dictionary<string, object?> Flush(double learningRate, long tokens)
        {
            var logs = new Dictionary<string, object?>
            {
                ["loss"] = Math.Round(_loss / Math.Max(1, _steps), 4),
                ["grad_norm"] = _gradNorm,
                ["learning_rate"] = learningRate,
                ["num_tokens"] = (double)tokens,
                ["mean_token_accuracy"] = _accuracies.Count > 0 ? _accuracies.Average() : 0.0,
            };
            (_loss, _steps) = (0, 0);
            _accuracies.Clear();
            return logs;
        }
    }
}
