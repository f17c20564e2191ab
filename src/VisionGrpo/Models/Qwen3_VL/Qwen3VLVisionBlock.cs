using TorchSharp;
using TorchSharp.Modules;
using VisionGrpo.Models.Qwen2_5_VL;
using static TorchSharp.torch;

namespace VisionGrpo.Models.Qwen3_VL;

/// <summary>
/// One pre-norm Qwen3-VL vision block: <c>h += attn(norm1(h)); h += mlp(norm2(h))</c> with LayerNorms (weight and
/// bias, eps 1e-6) and the shared Qwen vision attention (fused <c>qkv</c>, 2-D rotary, attention per image).
/// </summary>
public sealed class Qwen3VLVisionBlock : nn.Module
{
    /// <summary>Hard-coded upstream for every LayerNorm of the tower.</summary>
    internal const double NormEps = 1e-6;

#pragma warning disable IDE1006 // module names must match the checkpoint keys
    readonly LayerNorm norm1;
    readonly LayerNorm norm2;
    readonly VisionAttention attn;
    readonly Qwen3VLVisionMlp mlp;
#pragma warning restore IDE1006

    /// <summary>Creates a block of <paramref name="config"/>.</summary>
    public Qwen3VLVisionBlock(Qwen3VLVisionConfig config) : base(nameof(Qwen3VLVisionBlock))
    {
        norm1 = nn.LayerNorm(config.HiddenSize, NormEps);
        norm2 = nn.LayerNorm(config.HiddenSize, NormEps);
        attn = new VisionAttention(config.HiddenSize, config.NumHeads);
        mlp = new Qwen3VLVisionMlp(config);
        RegisterComponents();
    }

    /// <summary>Runs the block on <c>[S, hidden]</c>; attention stays inside the segments of <paramref name="cuSeqlens"/>.</summary>
    public Tensor forward(Tensor h, IReadOnlyList<int> cuSeqlens, Tensor cos, Tensor sin)
    {
        using var scope = NewDisposeScope();
        h = h + attn.forward(norm1.forward(h), cuSeqlens, cos, sin);
        h = h + mlp.forward(norm2.forward(h));
        return h.MoveToOuterDisposeScope();
    }
}
