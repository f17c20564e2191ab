using System.Runtime.InteropServices;
using System.Text;

namespace VisionGrpo.Distributed;

/// <summary>
/// A thin binding of the MPI C API functions data-parallel training needs, loaded at run time (<c>dlopen</c>) so that
/// a single-process run never touches an MPI library. The library is opened with <c>RTLD_GLOBAL</c>, as Open MPI's
/// plugins expect; <see cref="MpiHandles"/> supplies the implementation's predefined handles. Every call checks the
/// return code (the default error handler, MPI_ERRORS_ARE_FATAL, normally aborts first).
/// </summary>
/// <remarks>
/// The MPI.NET NuGet package (1.4.0) is built against Microsoft's <c>msmpi.dll</c> only ("Windows only" in its
/// release notes), so it cannot run on Linux with Open MPI or MPICH; hence this binding.
/// </remarks>
public sealed unsafe class MpiLibrary
{
    /// <summary>Environment variable naming the MPI library to load instead of the default search.</summary>
    public const string LibraryVariable = "VISIONGRPO_MPI_LIBRARY";
    const int RtldNow = 2, RtldGlobal = 0x100;
    const int ThreadSerialized = 2; // MPI_THREAD_SERIALIZED: 2 in both Open MPI and MPICH

    readonly delegate* unmanaged<int*, int> _initialized;
    readonly delegate* unmanaged<int*, int> _finalized;
    readonly delegate* unmanaged<int*, nint, int, int*, int> _initThread;
    readonly delegate* unmanaged<nint, int*, int> _commRank;
    readonly delegate* unmanaged<nint, int*, int> _commSize;
    readonly delegate* unmanaged<void*, void*, int, nint, nint, nint, int> _allreduce;
    readonly delegate* unmanaged<void*, int, nint, void*, int, nint, nint, int> _allgather;
    readonly delegate* unmanaged<void*, int, nint, void*, int*, int*, nint, nint, int> _allgatherv;
    readonly delegate* unmanaged<void*, int, nint, int, nint, int> _bcast;
    readonly delegate* unmanaged<nint, int> _barrier;
    readonly delegate* unmanaged<nint, int, int> _abort;
    readonly delegate* unmanaged<int> _finalize;
    readonly delegate* unmanaged<byte*, int*, int> _libraryVersion;

    MpiLibrary(string path, nint handle)
    {
        Path = path;
        nint Symbol(string name) => Dlsym(handle, name);
        nint Function(string name) => Symbol(name) is var f and not 0 ? f
            : throw new MpiException($"'{path}' has no {name}: it is not an MPI library (set {LibraryVariable} to the right libmpi.so).");
        Handles = MpiHandles.OpenMpi(Symbol) ?? MpiHandles.Mpich;
        _initialized = (delegate* unmanaged<int*, int>)Function("MPI_Initialized");
        _finalized = (delegate* unmanaged<int*, int>)Function("MPI_Finalized");
        _initThread = (delegate* unmanaged<int*, nint, int, int*, int>)Function("MPI_Init_thread");
        _commRank = (delegate* unmanaged<nint, int*, int>)Function("MPI_Comm_rank");
        _commSize = (delegate* unmanaged<nint, int*, int>)Function("MPI_Comm_size");
        _allreduce = (delegate* unmanaged<void*, void*, int, nint, nint, nint, int>)Function("MPI_Allreduce");
        _allgather = (delegate* unmanaged<void*, int, nint, void*, int, nint, nint, int>)Function("MPI_Allgather");
        _allgatherv = (delegate* unmanaged<void*, int, nint, void*, int*, int*, nint, nint, int>)Function("MPI_Allgatherv");
        _bcast = (delegate* unmanaged<void*, int, nint, int, nint, int>)Function("MPI_Bcast");
        _barrier = (delegate* unmanaged<nint, int>)Function("MPI_Barrier");
        _abort = (delegate* unmanaged<nint, int, int>)Function("MPI_Abort");
        _finalize = (delegate* unmanaged<int>)Function("MPI_Finalize");
        _libraryVersion = (delegate* unmanaged<byte*, int*, int>)Function("MPI_Get_library_version");
    }

    /// <summary>The file that was loaded.</summary>
    public string Path { get; }
    /// <summary>The implementation's predefined handles.</summary>
    public MpiHandles Handles { get; }

    /// <summary>
    /// Loads the MPI library: <see cref="LibraryVariable"/> if set, else the sonames of Open MPI (<c>libmpi.so.40</c>)
    /// and MPICH (<c>libmpi.so.12</c>, <c>libmpich.so.12</c>), the launcher's family first.
    /// </summary>
    /// <exception cref="MpiException">No MPI library could be loaded (the message says what was tried).</exception>
    public static MpiLibrary Load(LaunchEnvironment launch)
    {
        var candidates = Environment.GetEnvironmentVariable(LibraryVariable) is { Length: > 0 } explicitPath
            ? [explicitPath]
            : launch.Launcher == "mpich"
                ? new[] { "libmpi.so.12", "libmpich.so.12", "libmpi.so.40", "libmpi.so" }
                : ["libmpi.so.40", "libmpi.so.12", "libmpich.so.12", "libmpi.so"];
        var errors = new List<string>();
        foreach (var name in candidates)
        {
            nint handle = Dlopen(name, RtldNow | RtldGlobal);
            if (handle != 0) return new MpiLibrary(name, handle);
            errors.Add(Marshal.PtrToStringUTF8(Dlerror()) ?? name);
        }
        throw new MpiException(
            $"this process was started by an MPI launcher ({launch.Describe()}) but no MPI library could be loaded: {string.Join("; ", errors)}. " +
            $"Install Open MPI (Debian/Ubuntu: apt-get install openmpi-bin libopenmpi-dev) or MPICH, or set {LibraryVariable} to its libmpi.so.");
    }

    /// <summary>MPI_Init_thread with MPI_THREAD_SERIALIZED (unless already initialised).</summary>
    public void Init()
    {
        int flag;
        Check(_initialized(&flag), "MPI_Initialized");
        if (flag != 0) return;
        int provided;
        Check(_initThread(null, 0, ThreadSerialized, &provided), "MPI_Init_thread");
    }

    /// <summary>Whether MPI_Finalize has run.</summary>
    public bool IsFinalized
    {
        get { int flag; Check(_finalized(&flag), "MPI_Finalized"); return flag != 0; }
    }

    /// <summary>MPI_Comm_rank on MPI_COMM_WORLD.</summary>
    public int WorldRank() { int r; Check(_commRank(Handles.CommWorld, &r), "MPI_Comm_rank"); return r; }
    /// <summary>MPI_Comm_size on MPI_COMM_WORLD.</summary>
    public int WorldSize() { int s; Check(_commSize(Handles.CommWorld, &s), "MPI_Comm_size"); return s; }

    /// <summary>MPI_Allreduce of <paramref name="count"/> elements from <paramref name="send"/> into <paramref name="receive"/>.</summary>
    public void AllReduce(void* send, void* receive, int count, nint datatype, nint op) =>
        Check(_allreduce(send, receive, count, datatype, op, Handles.CommWorld), "MPI_Allreduce");

    /// <summary>MPI_Allgather of <paramref name="count"/> elements per rank.</summary>
    public void AllGather(void* send, int count, nint datatype, void* receive) =>
        Check(_allgather(send, count, datatype, receive, count, datatype, Handles.CommWorld), "MPI_Allgather");

    /// <summary>MPI_Allgatherv: <paramref name="counts"/>[r] elements of rank r land at <paramref name="displacements"/>[r].</summary>
    public void AllGatherV(void* send, int count, nint datatype, void* receive, int* counts, int* displacements) =>
        Check(_allgatherv(send, count, datatype, receive, counts, displacements, datatype, Handles.CommWorld), "MPI_Allgatherv");

    /// <summary>MPI_Bcast from <paramref name="root"/>.</summary>
    public void Broadcast(void* buffer, int count, nint datatype, int root) =>
        Check(_bcast(buffer, count, datatype, root, Handles.CommWorld), "MPI_Bcast");

    /// <summary>MPI_Barrier.</summary>
    public void Barrier() => Check(_barrier(Handles.CommWorld), "MPI_Barrier");

    /// <summary>MPI_Abort on MPI_COMM_WORLD: the launcher kills every rank.</summary>
    public void Abort(int exitCode) => _abort(Handles.CommWorld, exitCode);

    /// <summary>MPI_Finalize (once; later calls do nothing).</summary>
    public void Shutdown()
    {
        if (!IsFinalized) Check(_finalize(), "MPI_Finalize");
    }

    /// <summary>MPI_Get_library_version's text (first line).</summary>
    public string LibraryVersion()
    {
        var buffer = new byte[8192]; // MPI_MAX_LIBRARY_VERSION_STRING: 256 in Open MPI, 8192 in MPICH
        int length;
        fixed (byte* p = buffer) Check(_libraryVersion(p, &length), "MPI_Get_library_version");
        var text = Encoding.UTF8.GetString(buffer, 0, Math.Clamp(length, 0, buffer.Length)).TrimEnd('\0');
        return text.Split('\n')[0].Trim().TrimEnd(',');
    }

    static void Check(int code, string function)
    {
        if (code != 0) throw new MpiException($"{function} failed with MPI error code {code}.");
    }

    [DllImport("libc", EntryPoint = "dlopen")]
    static extern nint Dlopen([MarshalAs(UnmanagedType.LPUTF8Str)] string file, int mode);
    [DllImport("libc", EntryPoint = "dlsym")]
    static extern nint Dlsym(nint handle, [MarshalAs(UnmanagedType.LPUTF8Str)] string name);
    [DllImport("libc", EntryPoint = "dlerror")]
    static extern nint Dlerror();
}
