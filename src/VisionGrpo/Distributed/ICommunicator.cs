namespace VisionGrpo.Distributed;

/// <summary>
/// The collective operations data-parallel training needs, over the processes (ranks) of one job. Every rank must
/// call the same collectives in the same order with matching sizes, as MPI requires; a mismatch is a bug in the
/// caller. <see cref="SingleProcessCommunicator"/> is the one-process case (no MPI library involved);
/// <see cref="MpiCommunicator"/> runs over MPI's <c>MPI_COMM_WORLD</c>.
/// </summary>
public interface ICommunicator : IDisposable
{
    /// <summary>This process's index, 0 … <see cref="Size"/> − 1.</summary>
    int Rank { get; }
    /// <summary>Number of processes in the job.</summary>
    int Size { get; }
    /// <summary>Whether this is rank 0, the one that writes logs, checkpoints and the console output.</summary>
    bool IsRoot => Rank == 0;
    /// <summary>Human-readable description (implementation and library version), for logs and errors.</summary>
    string Description { get; }

    /// <summary>Replaces every element of <paramref name="values"/> with its sum over all ranks.</summary>
    void AllReduceSum(Span<float> values);
    /// <summary>Replaces every element of <paramref name="values"/> with its sum over all ranks.</summary>
    void AllReduceSum(Span<double> values);
    /// <summary>Replaces every element of <paramref name="values"/> with its sum over all ranks.</summary>
    void AllReduceSum(Span<long> values);
    /// <summary>Replaces every element of <paramref name="values"/> with its maximum over all ranks.</summary>
    void AllReduceMax(Span<double> values);

    /// <summary>Every rank's <paramref name="local"/> bytes, in rank order (ranks may send different lengths).</summary>
    byte[][] AllGather(ReadOnlySpan<byte> local);

    /// <summary>Copies rank <paramref name="root"/>'s <paramref name="buffer"/> into every other rank's (same length everywhere).</summary>
    void Broadcast(Span<byte> buffer, int root = 0);

    /// <summary>Returns once every rank has called it.</summary>
    void Barrier();

    /// <summary>
    /// Ends the whole job now with <paramref name="exitCode"/> (MPI_Abort): the other ranks are killed by the
    /// launcher instead of waiting forever in a collective. Does not return.
    /// </summary>
    void Abort(int exitCode);
}
