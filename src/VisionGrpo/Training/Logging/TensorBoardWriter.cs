using System.Globalization;

namespace VisionGrpo.Training.Logging;

/// <summary>
/// Writes TensorBoard event files (<c>events.out.tfevents.&lt;time&gt;.&lt;host&gt;.&lt;pid&gt;.&lt;n&gt;</c>, the name
/// torch's SummaryWriter uses) that TensorBoard reads: TFRecord framing with masked CRC32C, a
/// <c>brain.Event:2</c> first record, then one Event per scalar/text. <see cref="LogMetrics"/> maps metric names to
/// tags as transformers' <c>TensorBoardCallback</c> does. Thread-safe; flushes after every call.
/// </summary>
internal sealed class TensorBoardWriter : IDisposable
{
    /// <summary><c>source_metadata.writer</c> of torch.utils.tensorboard files.</summary>
    public const string TorchSourceWriter = "tensorboard.summary.writer.event_file_writer";

    static int _fileCounter;
    readonly FileStream _stream;
    readonly object _gate = new();
    readonly Func<double> _clock;

    /// <summary>Full path of the event file being written.</summary>
    public string FilePath { get; }

    /// <summary>Creates <paramref name="logDir"/> if needed and starts a new event file in it.</summary>
    /// <param name="logDir">Folder of the run (e.g. <see cref="DefaultLogDir"/>).</param>
    /// <param name="clock">Wall time in seconds since the Unix epoch; defaults to the system clock.</param>
    /// <param name="hostName">Host name in the file name; defaults to the machine name.</param>
    /// <param name="sourceWriter">Writer name in the first record (torch's by default; null omits it as tensorboardX does).</param>
    /// <param name="fileName">Exact file name to use instead of the generated one (must contain "tfevents").</param>
    public TensorBoardWriter(string logDir, Func<double>? clock = null, string? hostName = null,
        string? sourceWriter = TorchSourceWriter, string? fileName = null)
    {
        _clock = clock ?? UnixNow;
        Directory.CreateDirectory(logDir);
        double created = _clock();
        fileName ??= string.Create(CultureInfo.InvariantCulture,
            $"events.out.tfevents.{(long)created}.{hostName ?? Environment.MachineName}.{Environment.ProcessId}.{Interlocked.Increment(ref _fileCounter) - 1}");
        if (!fileName.Contains("tfevents", StringComparison.Ordinal))
            throw new ArgumentException($"TensorBoard only reads files whose name contains 'tfevents' (got '{fileName}').");
        FilePath = Path.Combine(logDir, fileName);
        _stream = new FileStream(FilePath, FileMode.CreateNew, FileAccess.Write, FileShare.Read, bufferSize: 0);
        Write(TensorBoardEvents.FileVersionEvent(created, sourceWriter));
    }

    /// <summary>Seconds since the Unix epoch with sub-second precision (Python's <c>time.time()</c>).</summary>
    public static double UnixNow() => (DateTime.UtcNow - DateTime.UnixEpoch).Ticks / (double)TimeSpan.TicksPerSecond;

    /// <summary>
    /// transformers' default <c>logging_dir</c>: <c>output_dir/runs/&lt;MonDD_HH-MM-SS&gt;_&lt;host&gt;</c>.
    /// </summary>
    public static string DefaultLogDir(string outputDir, DateTime now, string? hostName = null) =>
        Path.Combine(outputDir, "runs", now.ToString("MMMdd_HH-mm-ss", CultureInfo.InvariantCulture) + "_" + (hostName ?? Environment.MachineName));

    /// <summary>Writes a scalar (stored as float32, like <c>add_scalar</c>).</summary>
    public void AddScalar(string tag, double value, long step, double? wallTime = null) =>
        Write(TensorBoardEvents.ScalarEvent(tag, (float)value, step, wallTime ?? _clock()));

    /// <summary>Writes a text summary (tag gets the <c>/text_summary</c> suffix, like <c>add_text</c>).</summary>
    public void AddText(string tag, string text, long step, double? wallTime = null) =>
        Write(TensorBoardEvents.TextEvent(tag, text, step, wallTime ?? _clock()));

    /// <summary>Writes a histogram of <paramref name="values"/> with TensorFlow's default buckets (<c>bins="tensorflow"</c>).</summary>
    public void AddHistogram(string tag, IReadOnlyList<double> values, long step, double? wallTime = null) =>
        Write(TensorBoardEvents.HistogramEvent(tag, values, step, wallTime ?? _clock()));

    /// <summary>
    /// <c>TensorBoardCallback.on_log</c>: each key is renamed (<see cref="TensorBoardTags.ForMetric"/>), numbers are
    /// written as scalars and strings as text at <paramref name="globalStep"/>; null values are skipped.
    /// </summary>
    public void LogMetrics(IEnumerable<KeyValuePair<string, object?>> logs, long globalStep)
    {
        foreach (var (key, value) in logs)
        {
            string tag = TensorBoardTags.ForMetric(key);
            switch (value)
            {
                case null: break;
                case string s: AddText(tag, s, globalStep); break;
                case bool b: AddScalar(tag, b ? 1 : 0, globalStep); break;
                case IConvertible c when value is double or float or int or long or decimal or short or byte or uint or ulong:
                    AddScalar(tag, c.ToDouble(CultureInfo.InvariantCulture), globalStep);
                    break;
            }
        }
    }

    void Write(byte[] eventBytes)
    {
        lock (_gate)
        {
            OutputWrite.Append(_stream, s => TfRecordWriter.Write(s, eventBytes));
        }
    }

    /// <summary>Flushes to disk.</summary>
    public void Flush()
    {
        lock (_gate) _stream.Flush(flushToDisk: true);
    }

    /// <summary>Flushes and closes the file.</summary>
    public void Dispose()
    {
        lock (_gate) _stream.Dispose();
    }
}
