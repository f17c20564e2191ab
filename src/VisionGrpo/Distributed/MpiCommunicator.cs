namespace VisionGrpo.Distributed;

/// <summary>
/// <see cref="ICommunicator"/> over MPI's <c>MPI_COMM_WORLD</c>: MPI moves the bytes, starts the processes and
/// detects failures; this class only adapts spans to the C calls. Buffers larger than an MPI <c>int</c> count are
/// sent in pieces. Dispose calls <c>MPI_Finalize</c>.
/// </summary>
public sealed unsafe class MpiCommunicator : ICommunicator
{
    const int MaxCount = int.MaxValue / 8; // elements per call, well inside MPI's int counts
    readonly MpiLibrary _mpi;

    /// <summary>Initialises MPI through <paramref name="library"/> (MPI_Init_thread) and reads rank and size.</summary>
    public MpiCommunicator(MpiLibrary library)
    {
        _mpi = library;
        _mpi.Init();
        Rank = _mpi.WorldRank();
        Size = _mpi.WorldSize();
        Description = $"{_mpi.Handles.Implementation} ({_mpi.LibraryVersion()}; {_mpi.Path})";
    }

    /// <inheritdoc/>
    public int Rank { get; }
    /// <inheritdoc/>
    public int Size { get; }
    /// <inheritdoc/>
    public string Description { get; }

    /// <inheritdoc/>
    public void AllReduceSum(Span<float> values) => AllReduce(values, _mpi.Handles.Float, _mpi.Handles.Sum);
    /// <inheritdoc/>
    public void AllReduceSum(Span<double> values) => AllReduce(values, _mpi.Handles.Double, _mpi.Handles.Sum);
    /// <inheritdoc/>
    public void AllReduceSum(Span<long> values) => AllReduce(values, _mpi.Handles.LongLong, _mpi.Handles.Sum);
    /// <inheritdoc/>
    public void AllReduceMax(Span<double> values) => AllReduce(values, _mpi.Handles.Double, _mpi.Handles.Max);

    void AllReduce<T>(Span<T> values, nint datatype, nint op) where T : unmanaged
    {
        // MPI forbids aliasing send and receive buffers (MPI_IN_PLACE's value differs per implementation): send a copy.
        var send = values.ToArray();
        fixed (T* s = send)
        fixed (T* r = values)
            for (int start = 0; start < values.Length; start += MaxCount)
                _mpi.AllReduce(s + start, r + start, Math.Min(MaxCount, values.Length - start), datatype, op);
    }

    /// <inheritdoc/>
    public byte[][] AllGather(ReadOnlySpan<byte> local)
    {
        // Lengths first (one int each), then the bytes with MPI_Allgatherv.
        var lengths = new int[Size];
        int mine = local.Length;
        fixed (int* l = lengths) _mpi.AllGather(&mine, 1, _mpi.Handles.Int, l);
        long total = lengths.Sum(x => (long)x);
        if (total > int.MaxValue) throw new MpiException($"AllGather of {total} bytes exceeds MPI's int count; gather in smaller pieces.");
        var displacements = new int[Size];
        for (int r = 1; r < Size; r++) displacements[r] = displacements[r - 1] + lengths[r - 1];
        var all = new byte[total];
        fixed (byte* s = local)
        fixed (byte* a = all)
        fixed (int* l = lengths)
        fixed (int* d = displacements)
            _mpi.AllGatherV(s, mine, _mpi.Handles.Byte, a, l, d);
        return Enumerable.Range(0, Size).Select(r => all.AsSpan(displacements[r], lengths[r]).ToArray()).ToArray();
    }

    /// <inheritdoc/>
    public void Broadcast(Span<byte> buffer, int root = 0)
    {
        if (root < 0 || root >= Size) throw new ArgumentOutOfRangeException(nameof(root), root, $"the job has {Size} ranks.");
        fixed (byte* b = buffer)
            for (int start = 0; start < buffer.Length; start += MaxCount)
                _mpi.Broadcast(b + start, Math.Min(MaxCount, buffer.Length - start), _mpi.Handles.Byte, root);
    }

    /// <inheritdoc/>
    public void Barrier() => _mpi.Barrier();

    /// <inheritdoc/>
    public void Abort(int exitCode)
    {
        Console.Out.Flush();
        Console.Error.Flush();
        _mpi.Abort(exitCode);
        Environment.Exit(exitCode); // MPI_Abort should not return; if it does, leave anyway
    }

    /// <summary>MPI_Finalize.</summary>
    public void Dispose() => _mpi.Shutdown();
}
