using TorchSharp;
using VisionGrpo.Tensors;

namespace VisionGrpo.Tests.Tensors;

/// <summary><c>bf16: auto</c>'s probe follows the CPU's native bf16 support and never claims it off Linux/CPU.</summary>
public class FastBFloat16Tests
{
    [Fact]
    public void TheCpuAnswerFollowsProcCpuinfo()
    {
        TorchRuntime.EnsureInitialized();
        string cpuinfo = File.Exists("/proc/cpuinfo") ? File.ReadAllText("/proc/cpuinfo") : "";
        bool flags = cpuinfo.Contains(" avx512_bf16", StringComparison.Ordinal) || cpuinfo.Contains(" amx_bf16", StringComparison.Ordinal);
        Assert.Equal(flags, TorchRuntime.HasFastBFloat16(torch.CPU));
        // Where it says yes, bf16 products must also give right answers.
        if (flags) Assert.True(TorchRuntime.SupportsBFloat16(torch.CPU));
    }
}
