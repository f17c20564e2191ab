using TorchSharp;
using VisionGrpo.Tensors;
using static TorchSharp.torch;

namespace VisionGrpo.Tests.Tensors;

/// <summary>MKL's AVX-512 path is switched on exactly where the CPU qualifies, and fp32 products stay right with it.</summary>
public class MklCpuDispatchTests
{
    [Fact]
    public void TheStatusFollowsTheCpu()
    {
        TorchRuntime.EnsureInitialized();
        string status = TorchRuntime.MklAvx512;
        var cpuinfo = File.Exists("/proc/cpuinfo") ? File.ReadAllText("/proc/cpuinfo") : "";
        bool amd = cpuinfo.Contains("AuthenticAMD", StringComparison.Ordinal);
        bool avx512 = new[] { "avx512f", "avx512cd", "avx512bw", "avx512dq", "avx512vl" }.All(f => cpuinfo.Contains(" " + f, StringComparison.Ordinal));
        bool off = Environment.GetEnvironmentVariable(MklCpuDispatch.Variable) == "0";
        if (off) Assert.StartsWith("off", status);
        else if (amd && avx512) Assert.StartsWith("on", status);
        else Assert.DoesNotContain("on (", status);
    }

    [Theory]
    [InlineData(64, 64, 64)]
    [InlineData(257, 130, 511)]   // ragged edges of the kernels' blocks
    [InlineData(448, 64, 3000)]   // the LM head's K = 64 shape
    public void Float32ProductsMatchFloat64(long m, long k, long n)
    {
        TorchRuntime.EnsureInitialized();
        using var scope = NewDisposeScope();
        var gen = new Generator(5);
        var a = randn([m, k], generator: gen, dtype: ScalarType.Float64);
        var b = randn([n, k], generator: gen, dtype: ScalarType.Float64);
        var exact = a.mm(b.t());
        var fp32 = a.to(ScalarType.Float32);
        var w32 = b.to(ScalarType.Float32);
        foreach (var product in new[] { fp32.mm(w32.t().contiguous()), nn.functional.linear(fp32, w32) })
        {
            double err = (product.to(ScalarType.Float64) - exact).abs().max().item<double>();
            Assert.InRange(err, 0, 1e-4 * Math.Sqrt(k));
        }
    }
}
