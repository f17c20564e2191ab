namespace VisionGrpo.Distributed;

/// <summary>
/// The job of one process: every collective is the identity. Needs no MPI library, so a plain run never loads one.
/// </summary>
public sealed class SingleProcessCommunicator : ICommunicator
{
    /// <summary>The shared instance (it holds no state).</summary>
    public static SingleProcessCommunicator Instance { get; } = new();

    /// <inheritdoc/>
    public int Rank => 0;
    /// <inheritdoc/>
    public int Size => 1;
    /// <inheritdoc/>
    public string Description => "single process";

    /// <inheritdoc/>
    public void AllReduceSum(Span<float> values) { }
    /// <inheritdoc/>
    public void AllReduceSum(Span<double> values) { }
    /// <inheritdoc/>
    public void AllReduceSum(Span<long> values) { }
    /// <inheritdoc/>
    public void AllReduceMax(Span<double> values) { }
    /// <inheritdoc/>
    public byte[][] AllGather(ReadOnlySpan<byte> local) => [local.ToArray()];
    /// <inheritdoc/>
    public void Broadcast(Span<byte> buffer, int root = 0)
    {
        if (root != 0) throw new ArgumentOutOfRangeException(nameof(root), root, "a single-process job has only rank 0.");
    }
    /// <inheritdoc/>
    public void Barrier() { }
    /// <inheritdoc/>
    public void Abort(int exitCode) => Environment.Exit(exitCode);
    /// <summary>Nothing to release.</summary>
    public void Dispose() { }
}
