using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace VisionGrpo.Models.Qwen2_5_VL;

/// <summary>
/// RMSNorm as transformers computes it: statistics in float32, cast back to the input dtype, <em>then</em> scale by
/// the weight (in bf16 the order changes the bits). Parameter: <c>weight</c>.
/// </summary>
public sealed class VisionRmsNorm : nn.Module<Tensor, Tensor>
{
    readonly double _eps;
#pragma warning disable IDE1006 // parameter name must match the checkpoint key
    readonly Parameter weight;
#pragma warning restore IDE1006

    /// <summary>Creates a norm over the last dimension of width <paramref name="dim"/>, weight initialised to ones.</summary>
    public VisionRmsNorm(int dim, double eps = 1e-6) : base(nameof(VisionRmsNorm))
    {
        _eps = eps;
        weight = nn.Parameter(ones(dim));
        RegisterComponents();
    }

    /// <inheritdoc/>
    public override Tensor forward(Tensor x)
    {
        using var scope = NewDisposeScope();
        var x32 = x.to(ScalarType.Float32);
        var variance = x32.square().mean([-1L], keepdim: true);
        var normed = (x32 * (variance + _eps).rsqrt()).to(x.dtype);
        return (weight * normed).MoveToOuterDisposeScope();
    }
}
