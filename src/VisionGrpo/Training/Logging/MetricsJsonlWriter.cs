using VisionGrpo.Formats;

namespace VisionGrpo.Training.Logging;

/// <summary>
/// Appends one line per logging event to <c>metrics.jsonl</c>: the same dictionary the Trainer puts in
/// <c>log_history</c> (e.g. <c>{"loss": 0.01, "reward": 0.5, …, "epoch": 0.03, "step": 10}</c>), written with
/// <see cref="PythonJson"/> so numbers look as in Python. Flushed after each line (safe to tail, survives a kill).
/// </summary>
internal sealed class MetricsJsonlWriter : IDisposable
{
    readonly FileStream _stream;

    /// <summary>Full path of the file.</summary>
    public string FilePath { get; }

    /// <summary>Opens <paramref name="path"/>; <paramref name="append"/> continues an existing file (resume).</summary>
    public MetricsJsonlWriter(string path, bool append = false)
    {
        FilePath = Path.GetFullPath(path);
        Directory.CreateDirectory(Path.GetDirectoryName(FilePath)!);
        // Unbuffered: each line is one write, cut back if it fails (see OutputWrite.Append).
        _stream = new FileStream(FilePath, append ? FileMode.Append : FileMode.Create, FileAccess.Write, FileShare.Read, bufferSize: 0);
    }

    /// <summary>Writes one record (keys in the given order).</summary>
    public void Write(IEnumerable<KeyValuePair<string, object?>> record)
    {
        byte[] line = System.Text.Encoding.UTF8.GetBytes(PythonJson.Serialize(record) + "\n");
        OutputWrite.Append(_stream, s => s.Write(line));
    }

    /// <summary>Closes the file.</summary>
    public void Dispose() => _stream.Dispose();
}
