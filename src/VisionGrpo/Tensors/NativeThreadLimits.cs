using System.Runtime.InteropServices;

namespace VisionGrpo.Tensors;

/// <summary>
/// Per-thread thread counts of the native libraries inside libtorch, so that one thread's kernels stay on one core
/// without touching libtorch's global setting (the row-split decode products run one slice per core).
/// </summary>
static unsafe class NativeThreadLimits
{
    static readonly delegate* unmanaged<int, int> MklSetLocal = (delegate* unmanaged<int, int>)LibTorchExport("MKL_Set_Num_Threads_Local");
    static readonly delegate* unmanaged<int, void> OmpSet = (delegate* unmanaged<int, void>)LibTorchExport("omp_set_num_threads");

    /// <summary>
    /// The address of <paramref name="symbol"/> as libtorch_cpu sees it (0 when absent): its own exports, such as the
    /// statically linked MKL's, and through dlsym on its handle those of its dependencies, where libgomp is.
    /// </summary>
    static nint LibTorchExport(string symbol)
    {
        try
        {
            if (NativeLibrary.TryLoad("libtorch_cpu.so", out var library) && NativeLibrary.TryGetExport(library, symbol, out var function))
                return function;
        }
        catch (Exception) { }
        return 0;
    }

    /// <summary>
    /// Sets the calling thread's MKL thread count (<c>mkl_set_num_threads_local</c>) to <paramref name="threads"/> until
    /// the scope ends; no-op without MKL.
    /// </summary>
    public static MklScope LimitMkl(int threads) => MklSetLocal == null ? default : new MklScope(MklSetLocal(threads), true);

    /// <summary>Restores the previous per-thread MKL value (0 = follow the global one).</summary>
    public readonly struct MklScope(int previous, bool active) : IDisposable
    {
        /// <summary>Restores the value the scope replaced.</summary>
        public void Dispose() { if (active) MklSetLocal(previous); }
    }

    /// <summary>Sets the OpenMP team size (<c>omp_set_num_threads</c> of libtorch's libgomp) of the calling non-OpenMP thread; no-op without libgomp.</summary>
    public static void SetOpenMpForThisThread(int threads)
    {
        if (OmpSet != null) OmpSet(threads);
    }
}
