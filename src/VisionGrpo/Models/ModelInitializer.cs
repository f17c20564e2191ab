using TorchSharp;
using static TorchSharp.torch;

namespace VisionGrpo.Models;

/// <summary>
/// Random initialization like HF's <c>_init_weights</c> for Qwen2 / Qwen2.5-VL: matrices (linear, conv, embedding)
/// ~ N(0, <c>initializer_range</c>), biases 0, norm weights 1. Deterministic for a given seed and module layout.
/// </summary>
public static class ModelInitializer
{
    /// <summary>Re-initializes every parameter of <paramref name="module"/> in place.</summary>
    public static void Initialize(nn.Module module, long seed, double std = 0.02)
    {
        using var scope = torch.NewDisposeScope();
        using var noGrad = torch.no_grad();
        var generator = new Generator((ulong)seed);
        foreach (var (name, parameter) in module.named_parameters())
        {
            if (name.EndsWith(".bias", StringComparison.Ordinal)) parameter.zero_();
            // One-dimensional weights are the RMSNorm scales in these models.
            else if (parameter.dim() == 1) parameter.fill_(1.0);
            else
            {
                // Sample in float32 so bf16 and fp32 models from one seed hold the same values up to rounding.
                var values = torch.empty(parameter.shape, dtype: ScalarType.Float32).normal_(0, std, generator);
                parameter.copy_(values);
            }
        }
    }
}
