namespace VisionGrpo.Training.Checkpoints;

/// <summary>
/// An exclusive lock on a run's <c>output_dir</c>, held for the run's lifetime: a second <c>train</c>/<c>sft</c> on
/// the same folder is refused instead of splicing its metrics and checkpoints into the first's. The lock is the
/// kernel's (<c>flock</c> on <see cref="FileName"/>, which .NET takes for <see cref="FileShare.None"/>), so it goes
/// away with the process however that ends, <c>kill -9</c> included; the file itself stays, empty and harmless.
/// </summary>
internal sealed class OutputDirLock : IDisposable
{
    /// <summary>The lock file inside the output folder.</summary>
    public const string FileName = ".visiongrpo.lock";

    readonly FileStream? _file;

    OutputDirLock(FileStream? file) => _file = file;

    /// <summary>
    /// The lock for one rank of a data-parallel job: rank 0 writes <paramref name="outputDir"/> and takes the lock;
    /// the other ranks never write there, so they hold nothing (taking it too would make the ranks refuse each other).
    /// </summary>
    public static OutputDirLock ForRank(string outputDir, bool writer) => writer ? Acquire(outputDir) : new OutputDirLock(null);

    /// <summary>Creates <paramref name="outputDir"/> if needed and locks it.</summary>
    /// <exception cref="IOException">Another process (or another trainer in this one) holds the folder.</exception>
    public static OutputDirLock Acquire(string outputDir)
    {
        Directory.CreateDirectory(outputDir);
        string path = Path.Combine(outputDir, FileName);
        try
        {
            return new OutputDirLock(new FileStream(path, FileMode.OpenOrCreate, FileAccess.ReadWrite, FileShare.None));
        }
        catch (IOException e) when (e is not FileNotFoundException and not DirectoryNotFoundException)
        {
            throw new IOException(
                $"output_dir '{outputDir}' is in use by another training run (it holds {path}); wait for that run to end, " +
                "stop it, or choose another output_dir.", e);
        }
    }

    /// <summary>Releases the lock.</summary>
    public void Dispose() => _file?.Dispose();

    /// <summary>For a constructor that takes the lock first: releases it unless <see cref="Guard.Keep"/> was reached.</summary>
    internal Guard ReleaseOnFailure() => new(this);

    internal sealed class Guard(OutputDirLock owner) : IDisposable
    {
        bool _kept;
        public void Keep() => _kept = true;
        public void Dispose()
        {
            if (!_kept) owner.Dispose();
        }
    }
}
