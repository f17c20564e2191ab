using System.Runtime.InteropServices;
using System.Text.Json;
using System.Text.Json.Serialization;
using System.Text.Json.Serialization.Metadata;

namespace VisionGrpo.Distributed;

/// <summary>
/// Picks the communicator for this process: MPI when an MPI launcher started it with more than one rank, else the
/// single-process one (no MPI library is loaded). Also the typed helpers every caller needs on top of the byte
/// collectives.
/// </summary>
public static class Communicator
{
    static readonly Lock WorldLock = new();
    static ICommunicator? s_world;

    /// <summary>
    /// The job this process belongs to, created on first use from the launch environment (like accelerate's process
    /// state): MPI_Init happens here when an MPI launcher started the process, never otherwise. Trainers use it, so a
    /// program started with <c>mpirun -np N</c> trains data-parallel without passing anything.
    /// </summary>
    /// <exception cref="MpiException">torchrun-style <c>WORLD_SIZE</c> &gt; 1 without MPI, or MPI could not be loaded.</exception>
    public static ICommunicator World
    {
        get
        {
            lock (WorldLock) return s_world ??= FromEnvironment();
        }
    }

    /// <summary>
    /// The communicator for the current process's launch (see <see cref="LaunchEnvironment"/>): MPI under
    /// <c>mpirun</c>/<c>srun --mpi=pmix</c>, otherwise <see cref="SingleProcessCommunicator"/>.
    /// </summary>
    /// <exception cref="MpiException">torchrun-style <c>WORLD_SIZE</c> &gt; 1 without MPI, or MPI could not be loaded.</exception>
    public static ICommunicator FromEnvironment() => From(LaunchEnvironment.Current());

    /// <summary>The communicator for <paramref name="launch"/>.</summary>
    public static ICommunicator From(LaunchEnvironment launch)
    {
        launch.ThrowIfForeignMultiProcess();
        if (!launch.IsMpi) return SingleProcessCommunicator.Instance;
        var mpi = new MpiCommunicator(MpiLibrary.Load(launch));
        if (mpi.Size == 1)
        {
            mpi.Dispose();
            return SingleProcessCommunicator.Instance;
        }
        return mpi;
    }

    /// <summary>Every rank's <paramref name="local"/> values concatenated in rank order.</summary>
    public static double[] AllGather(this ICommunicator comm, ReadOnlySpan<double> local)
    {
        if (comm.Size == 1) return local.ToArray();
        var parts = comm.AllGather(MemoryMarshal.AsBytes(local));
        return parts.SelectMany(p => MemoryMarshal.Cast<byte, double>(p).ToArray()).ToArray();
    }

    /// <summary>Every rank's <paramref name="local"/> values concatenated in rank order (ranks may send different counts).</summary>
    public static float[] AllGather(this ICommunicator comm, ReadOnlySpan<float> local)
    {
        if (comm.Size == 1) return local.ToArray();
        var parts = comm.AllGather(MemoryMarshal.AsBytes(local));
        return parts.SelectMany(p => MemoryMarshal.Cast<byte, float>(p).ToArray()).ToArray();
    }

    static readonly JsonSerializerOptions JsonOptions = new()
    {
        NumberHandling = JsonNumberHandling.AllowNamedFloatingPointLiterals, // NaN rewards
    };

    /// <summary>Every rank's <paramref name="local"/> item, in rank order, via UTF-8 JSON (NaN and infinities allowed).</summary>
    public static T[] AllGatherJson<T>(this ICommunicator comm, T local, JsonTypeInfo<T>? typeInfo = null)
    {
        if (comm.Size == 1) return [local];
        byte[] bytes = typeInfo is null ? JsonSerializer.SerializeToUtf8Bytes(local, JsonOptions) : JsonSerializer.SerializeToUtf8Bytes(local, typeInfo);
        return comm.AllGather(bytes).Select(b => (typeInfo is null ? JsonSerializer.Deserialize<T>(b, JsonOptions) : JsonSerializer.Deserialize(b, typeInfo))!).ToArray();
    }

    /// <summary>The sum over ranks of one value.</summary>
    public static double Sum(this ICommunicator comm, double value)
    {
        Span<double> v = [value];
        comm.AllReduceSum(v);
        return v[0];
    }

    /// <summary>The sum over ranks of one value.</summary>
    public static long Sum(this ICommunicator comm, long value)
    {
        Span<long> v = [value];
        comm.AllReduceSum(v);
        return v[0];
    }
}
