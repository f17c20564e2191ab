using System.Text.Json.Nodes;

namespace VisionGrpo.Training.Logging;

/// <summary>
/// Where a run's log entries go: <c>output_dir/metrics.jsonl</c> (always) and TensorBoard event files when
/// <c>report_to</c> includes tensorboard (<c>train/&lt;key&gt;</c>, <c>eval/&lt;key&gt;</c> scalars as transformers'
/// <c>TensorBoardCallback</c> writes them), and the <see cref="CompletionLog"/> when <c>log_completions</c> is on. On
/// resume, metrics.jsonl and completions.jsonl keep only the lines up to the checkpoint's step.
/// </summary>
internal sealed class TrainingLoggers : IDisposable
{
    readonly MetricsJsonlWriter _jsonl;
    readonly TensorBoardWriter? _tensorBoard;
    readonly CompletionLog? _completions;

    TrainingLoggers(MetricsJsonlWriter jsonl, TensorBoardWriter? tensorBoard, CompletionLog? completions)
    {
        _jsonl = jsonl;
        _tensorBoard = tensorBoard;
        _completions = completions;
    }

    /// <summary>File name of the JSONL log in the output folder.</summary>
    public const string MetricsFileName = "metrics.jsonl";

    /// <summary>The TensorBoard event file (null when not reporting to TensorBoard).</summary>
    public string? TensorBoardFile => _tensorBoard?.FilePath;

    /// <summary>Opens the loggers of a run; <paramref name="resuming"/> continues metrics.jsonl after dropping lines past <paramref name="state"/>'s step.</summary>
    /// <param name="outputDir">Where <c>metrics.jsonl</c> (and <c>completions.jsonl</c>) go.</param>
    /// <param name="tensorBoard">Whether to write TensorBoard events (<c>report_to: tensorboard</c>).</param>
    /// <param name="loggingDir">The TensorBoard folder (null: <c>output_dir/runs/&lt;time&gt;_&lt;host&gt;</c>).</param>
    /// <param name="logCompletions">Whether to save every completion (<c>log_completions</c>).</param>
    /// <param name="state">The trainer state (its step bounds what a resumed run keeps).</param>
    /// <param name="resuming">Whether the run resumes from a checkpoint.</param>
    public static TrainingLoggers Open(string outputDir, bool tensorBoard, string? loggingDir, bool logCompletions, TrainerState state, bool resuming)
    {
        Directory.CreateDirectory(outputDir);
        string path = Path.Combine(outputDir, MetricsFileName);
        if (resuming && File.Exists(path)) OutputWrite.Run(path, state.GlobalStep, () => KeepUpTo(path, state.GlobalStep));
        string completions = Path.Combine(outputDir, CompletionLog.JsonlFileName);
        if (resuming && logCompletions && File.Exists(completions))
            OutputWrite.Run(completions, state.GlobalStep, () => KeepUpTo(completions, state.GlobalStep));
        var jsonl = new MetricsJsonlWriter(path, append: resuming);
        TensorBoardWriter? tb = null;
        if (tensorBoard)
            tb = new TensorBoardWriter(loggingDir ?? TensorBoardWriter.DefaultLogDir(outputDir, DateTime.Now));
        var completionLog = logCompletions ? CompletionLog.Open(outputDir, append: resuming) : null;
        return new TrainingLoggers(jsonl, tb, completionLog);
    }

    static void KeepUpTo(string path, long step)
    {
        var keep = File.ReadAllLines(path).Where(line =>
        {
            try { return JsonNode.Parse(line)?["step"]?.GetValue<long>() is long s && s <= step; }
            catch (System.Text.Json.JsonException) { return false; }
        }).ToList();
        File.WriteAllLines(path, keep);
    }

    /// <summary>TensorBoard text entries at the start of a run: the run's configuration (<c>args</c>) and the model config.</summary>
    public void WriteRunStart(string configText, PolicyModel policy)
    {
        if (_tensorBoard is not { } tb) return;
        OutputWrite.Run(tb.FilePath, 0, () =>
        {
            tb.AddText("args", configText, 0);
            tb.AddText("model_config", policy.Model.Config.RawJson, 0);
            tb.Flush();
        });
    }

    /// <summary>Writes one log entry (a <c>log_history</c> dictionary) at <paramref name="step"/>.</summary>
    public void Write(IReadOnlyDictionary<string, object?> entry, long step)
    {
        OutputWrite.Run(_jsonl.FilePath, step, () => _jsonl.Write(entry));
        if (_tensorBoard is not { } tb) return;
        OutputWrite.Run(tb.FilePath, step, () =>
        {
            tb.LogMetrics(entry.Where(kv => kv.Key != "step"), step);  // log_history's "step" is not a metric
            tb.Flush();
        });
    }

    /// <summary>Saves the completions of a logging step (when <c>log_completions</c> is on; otherwise nothing).</summary>
    public void WriteCompletions(IReadOnlyList<CompletionSample> samples)
    {
        if (_completions is { } log && samples.Count > 0) OutputWrite.Run(log.FilePath, samples[0].Step, () => log.Write(samples));
    }

    /// <summary>Closes the files.</summary>
    public void Dispose()
    {
        _completions?.Dispose();
        _jsonl.Dispose();
        _tensorBoard?.Dispose();
    }
}
