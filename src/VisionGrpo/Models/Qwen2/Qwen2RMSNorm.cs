using TorchSharp;
using TorchSharp.Modules;
using VisionGrpo.Tensors.OneRow;
using static TorchSharp.torch;

namespace VisionGrpo.Models.Qwen2;

/// <summary>
/// RMSNorm as HF computes it: float32 statistics, downcast to the input dtype, <b>then</b> the weight multiply
/// (multiplying in float32 and casting once gives different bf16 bits). TorchSharp has no <c>nn.RMSNorm</c>.
/// </summary>
public sealed class Qwen2RMSNorm : nn.Module<Tensor, Tensor>
{
    /// <summary>The per-channel scale (HF name <c>weight</c>).</summary>
    public readonly Parameter weight;
    /// <summary>The epsilon added to the mean of squares.</summary>
    public double Eps { get; }

    /// <summary>Creates the norm with a weight of ones.</summary>
    public Qwen2RMSNorm(long size, double eps, ScalarType dtype = ScalarType.Float32, Device? device = null)
        : base(nameof(Qwen2RMSNorm))
    {
        Eps = eps;
        weight = new Parameter(torch.ones(size, dtype: dtype, device: device));
        register_parameter("weight", weight);
    }

    /// <summary>Normalizes over the last dimension.</summary>
    public override Tensor forward(Tensor x)
    {
        // Batch-1 decode: the same math (and bf16 roundings) as managed code, one allocation instead of six ops.
        if (OneRowKernels.Applies(x, weight) && weight.numel() == x.numel()) return OneRowKernels.RmsNorm(x, weight, Eps);
        using var scope = torch.NewDisposeScope();
        // fp32 input: the casts are identities, skipped (each is a native call; a decode step runs 49 norms).
        bool fp32 = x.dtype == ScalarType.Float32;
        var x32 = fp32 ? x : x.to(ScalarType.Float32);
        var variance = x32.pow(2).mean([-1L], keepdim: true);
        var normed = x32 * torch.rsqrt(variance + Eps);
        if (!fp32) normed = normed.to(x.dtype);
        return (weight * normed).MoveToOuterDisposeScope();
    }
}
