using TorchSharp;

namespace VisionGrpo.Tensors;

/// <summary>
/// One place that brings libtorch up the way this project wants it: thread counts from
/// <c>VISIONGRPO_THREADS</c> (tests set 1) or an explicit value, MKL's AVX-512 kernels on AMD CPUs that have
/// AVX-512 (<see cref="MklAvx512"/>), and version facts for <c>visiongrpo env</c>.
/// </summary>
public static class TorchRuntime
{
    static readonly object Gate = new();
    static bool _initialized;

    /// <summary>Environment variable that fixes the intra-op thread count (the test runner sets it to 1).</summary>
    public const string ThreadsVariable = "VISIONGRPO_THREADS";

    /// <summary>Initializes libtorch once. <paramref name="threads"/> overrides <c>VISIONGRPO_THREADS</c>; 0 keeps libtorch's default.</summary>
    public static void EnsureInitialized(int? threads = null)
    {
        lock (Gate)
        {
            int wanted = threads ?? ThreadsFromEnvironment();
            if (!_initialized)
            {
                // Touching torch runs TorchSharp's static loader; fail here with a readable message.
                try { _ = torch.get_num_threads(); }
                catch (TypeInitializationException e)
                {
                    throw new InvalidOperationException(
                        "TorchSharp could not load libtorch. Build with the repository's MSBuild files (they patch " +
                        "libLibTorchSharp.so for Debian 12's libstdc++); see docs/torchsharp.md. " +
                        (e.InnerException?.Message ?? e.Message), e);
                }
                _initialized = true;
                // Before the first matrix product: MKL fixes its code path then (see MklCpuDispatch).
                MklCpuDispatch.Apply();
            }
            if (wanted > 0 && torch.get_num_threads() != wanted) torch.set_num_threads(wanted);
        }
    }

    /// <summary>Whether MKL's AVX-512 kernels were enabled on this AMD CPU (<c>VISIONGRPO_MKL_AVX512=0</c> turns it off), and why not.</summary>
    public static string MklAvx512 => MklCpuDispatch.Status;

    static int ThreadsFromEnvironment()
    {
        string? value = Environment.GetEnvironmentVariable(ThreadsVariable);
        if (string.IsNullOrWhiteSpace(value)) return 0;
        if (int.TryParse(value, out int n) && n > 0) return n;
        throw new ArgumentException($"{ThreadsVariable}='{value}' is not a positive integer.");
    }

    /// <summary>libtorch version this build ships (the native package chosen by <c>TorchBackend</c>).</summary>
    public static string LibTorchVersion => BuildMetadata("LibTorchVersion");

    /// <summary>libtorch backend this build was compiled for: <c>cpu</c> or <c>cuda</c>.</summary>
    public static string Backend => BuildMetadata("TorchBackend");

    static string BuildMetadata(string key) =>
        typeof(TorchRuntime).Assembly.GetCustomAttributes(typeof(System.Reflection.AssemblyMetadataAttribute), false)
            .Cast<System.Reflection.AssemblyMetadataAttribute>().FirstOrDefault(a => a.Key == key)?.Value ?? "unknown";

    /// <summary>TorchSharp assembly version.</summary>
    public static string TorchSharpVersion =>
        typeof(torch).Assembly.GetName().Version?.ToString(3) ?? "unknown";

    /// <summary>
    /// True when bf16 products are <i>fast</i> on <paramref name="device"/>, i.e. worth choosing bf16 compute for
    /// (<c>bf16: auto</c>): a CUDA device, or a CPU with native bf16 dot products (<c>avx512_bf16</c> or <c>amx_bf16</c>
    /// in <c>/proc/cpuinfo</c>; there oneDNN runs bf16 GEMMs 4–8× faster than fp32). Without them libtorch emulates
    /// bf16 by conversion and bf16 is slower than fp32 (docs/benchmarks.md, "Vision tower").
    /// </summary>
    public static bool HasFastBFloat16(torch.Device device)
    {
        if (device.type == DeviceType.CUDA) return SupportsBFloat16(device);
        return device.type == DeviceType.CPU && (CpuInfo.Has("avx512_bf16") || CpuInfo.Has("amx_bf16"));
    }

    /// <summary>True when bf16 matmul runs on <paramref name="device"/> (and gives the fp32 result to bf16 precision).</summary>
    public static bool SupportsBFloat16(torch.Device device)
    {
        EnsureInitialized();
        try
        {
            using var scope = torch.NewDisposeScope();
            var a = torch.ones(8, 8, dtype: torch.ScalarType.BFloat16, device: device);
            var s = a.mm(a).to(torch.ScalarType.Float32).sum().item<float>();
            return Math.Abs(s - 512f) < 1e-3f;
        }
        catch (Exception) { return false; }
    }
}
