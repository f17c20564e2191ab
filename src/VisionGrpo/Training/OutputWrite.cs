namespace VisionGrpo.Training;

/// <summary>
/// Writes of a training run into its output folder (logs, trainer state, the final model or adapter, the summary,
/// checkpoints): a failure — typically "No space left on device" — becomes an <see cref="OutputWriteException"/> that
/// names the file and the step, and an append that fails leaves no half record behind.
/// </summary>
internal static class OutputWrite
{
    /// <summary>Called with the path and step before each guarded write (fault-injection point for tests).</summary>
    internal static Action<string, long>? BeforeWrite { get; set; }

    /// <summary>Runs <paramref name="write"/>, which writes <paramref name="path"/> at <paramref name="step"/>.</summary>
    /// <exception cref="OutputWriteException">The write failed with an <see cref="IOException"/>.</exception>
    public static void Run(string path, long step, Action write)
    {
        try
        {
            BeforeWrite?.Invoke(path, step);
            write();
        }
        catch (IOException e) when (e is not OutputWriteException)
        {
            throw Failed(path, step, e);
        }
    }

    /// <summary>The error for a failed write of <paramref name="path"/> at <paramref name="step"/>; <paramref name="note"/> says what was kept.</summary>
    public static OutputWriteException Failed(string path, long step, IOException e, string? note = null) =>
        new($"step {step}: writing '{path}' failed{(note is null ? "" : $" ({note})")}: {e.Message}", e);

    /// <summary>
    /// Appends <paramref name="record"/> to an unbuffered <paramref name="stream"/>; when that fails the file is cut back
    /// to where it was, so it never ends in half a record and nothing is left buffered to fail again on close.
    /// </summary>
    public static void Append(FileStream stream, Action<FileStream> record)
    {
        long before = stream.Position;
        try { record(stream); }
        catch (IOException)
        {
            try { stream.SetLength(before); } catch (IOException) { }
            throw;
        }
    }
}

/// <summary>A write into a run's output folder failed; the message names the file and the step.</summary>
public sealed class OutputWriteException(string message, IOException inner) : IOException(message, inner);
