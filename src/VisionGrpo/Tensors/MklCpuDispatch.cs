using System.Runtime.InteropServices;

namespace VisionGrpo.Tensors;

/// <summary>
/// Lets the MKL inside libtorch use its AVX-512 kernels on AMD CPUs that have AVX-512 (Zen 4 and later). MKL picks
/// its code path by CPU vendor: on a non-Intel CPU it runs the generic AVX2 ("zen") sgemm whatever the CPU supports.
/// On the project's 2-vCPU EPYC that is ≈ 70 GFLOP/s per core for a 1024³ fp32 product, against ≈ 200 with the
/// AVX-512 kernels (docs/benchmarks.md, "GEMM"). MKL asks one exported function, <c>mkl_serv_intel_cpu_true</c>,
/// whether the CPU is Intel; this class rewrites that function in the loaded <c>libtorch_cpu.so</c> to answer yes,
/// before the first matrix product. MKL still checks each instruction set with <c>cpuid</c> itself (no AMX on AMD,
/// so no AMX kernels), and the rewrite happens only when the CPU reports the AVX-512 subsets MKL's AVX-512 path
/// uses (F, CD, BW, DQ, VL). Set <c>VISIONGRPO_MKL_AVX512=0</c> to keep MKL's own choice.
/// </summary>
internal static partial class MklCpuDispatch
{
    /// <summary>Environment variable that turns the rewrite off (<c>0</c>).</summary>
    public const string Variable = "VISIONGRPO_MKL_AVX512";
    const string Symbol = "mkl_serv_intel_cpu_true";
    static readonly string[] RequiredFlags = ["avx512f", "avx512cd", "avx512bw", "avx512dq", "avx512vl"];
    // x86-64: mov eax, 1; ret
    static readonly byte[] ReturnOne = [0xB8, 0x01, 0x00, 0x00, 0x00, 0xC3];

    /// <summary>What happened at start-up, for <c>visiongrpo env</c>.</summary>
    public static string Status { get; private set; } = "not checked";

    /// <summary>Applies the rewrite once, if this process and CPU qualify; never throws.</summary>
    public static void Apply()
    {
        try { Status = TryApply(); }
        catch (Exception e) { Status = "not applied: " + e.Message; }
    }

    static unsafe string TryApply()
    {
        if (Environment.GetEnvironmentVariable(Variable) == "0") return $"off ({Variable}=0)";
        if (!OperatingSystem.IsLinux() || RuntimeInformation.ProcessArchitecture != Architecture.X64) return "not needed (not Linux x86-64)";
        if (CpuInfo.Vendor != "AuthenticAMD") return $"not needed (CPU vendor {CpuInfo.Vendor})";
        var missing = RequiredFlags.Where(f => !CpuInfo.Has(f)).ToList();
        if (missing.Count > 0) return $"not applied: the CPU lacks {string.Join(", ", missing)}";
        // libtorch is already loaded by TorchSharp; RTLD_NOLOAD finds it by its soname without loading anything.
        nint library = dlopen("libtorch_cpu.so", RtldLazy | RtldNoLoad);
        if (library == 0) return "not applied: libtorch_cpu.so is not loaded";
        nint function = dlsym(library, Symbol);
        if (function == 0) return $"not applied: libtorch_cpu.so has no {Symbol} (MKL not linked in)";
        var code = new Span<byte>((void*)function, ReturnOne.Length);
        if (code.SequenceEqual(ReturnOne)) return "on (AVX-512 kernels on AMD)";
        long page = Environment.SystemPageSize;
        nint start = (nint)((long)function & ~(page - 1));
        nuint length = (nuint)(((long)function + ReturnOne.Length - (long)start + page - 1) & ~(page - 1));
        if (mprotect(start, length, ProtRead | ProtWrite | ProtExec) != 0)
            return $"not applied: mprotect failed (errno {Marshal.GetLastPInvokeError()})";
        ReturnOne.CopyTo(code);
        _ = mprotect(start, length, ProtRead | ProtExec);
        return "on (AVX-512 kernels on AMD)";
    }

    const int RtldLazy = 0x1, RtldNoLoad = 0x4;
    const int ProtRead = 0x1, ProtWrite = 0x2, ProtExec = 0x4;

    [LibraryImport("libc", EntryPoint = "dlopen", StringMarshalling = StringMarshalling.Utf8)]
    private static partial nint dlopen(string file, int mode);

    [LibraryImport("libc", EntryPoint = "dlsym", StringMarshalling = StringMarshalling.Utf8)]
    private static partial nint dlsym(nint handle, string symbol);

    [LibraryImport("libc", EntryPoint = "mprotect", SetLastError = true)]
    private static partial int mprotect(nint address, nuint length, int protection);
}
