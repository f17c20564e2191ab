using TorchSharp;
using static TorchSharp.torch;

namespace VisionGrpo.Models.Qwen2_5_VL;

/// <summary>
/// One pre-norm vision block: <c>h += attn(norm1(h))</c>, then <c>h += mlp(norm2(h))</c>, residual in the model dtype.
/// Parameters: <c>norm1.*</c>, <c>norm2.*</c>, <c>attn.*</c>, <c>mlp.*</c>. The families differ only in the norm
/// (Qwen2.5-VL RMSNorm, Qwen2-VL LayerNorm) and the MLP, which the tower passes in; the attention is shared.
/// </summary>
public sealed class VisionBlock : nn.Module
{
    /// <summary>Norm epsilon of every vision norm, hard-coded upstream (not read from the config).</summary>
    public const double NormEps = 1e-6;

#pragma warning disable IDE1006 // module names must match the checkpoint keys
    readonly nn.Module<Tensor, Tensor> norm1;
    readonly nn.Module<Tensor, Tensor> norm2;
    readonly VisionAttention attn;
    readonly nn.Module<Tensor, Tensor> mlp;
#pragma warning restore IDE1006

    /// <summary>
    /// Creates a block of <paramref name="config"/> whose two norms come from <paramref name="norm"/> (given the
    /// width) and whose MLP is <paramref name="mlp"/>.
    /// </summary>
    public VisionBlock(VisionTowerConfig config, Func<long, nn.Module<Tensor, Tensor>> norm, nn.Module<Tensor, Tensor> mlp)
        : base(nameof(VisionBlock))
    {
        norm1 = norm(config.HiddenSize);
        norm2 = norm(config.HiddenSize);
        attn = new VisionAttention(config);
        this.mlp = mlp;
        RegisterComponents();
    }

    /// <summary>Runs the block on <c>[S, hidden]</c> with attention segments <paramref name="cuSeqlens"/>.</summary>
    public Tensor forward(Tensor h, IReadOnlyList<int> cuSeqlens, Tensor cos, Tensor sin)
    {
        using var scope = NewDisposeScope();
        h = h + attn.forward(norm1.call(h), cuSeqlens, cos, sin);
        h = h + mlp.call(norm2.call(h));
        return h.MoveToOuterDisposeScope();
    }
}
