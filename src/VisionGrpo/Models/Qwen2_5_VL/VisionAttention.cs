using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace VisionGrpo.Models.Qwen2_5_VL;

/// <summary>
/// Vision self-attention: fused <c>qkv</c> projection (with bias), 2-D rotary on q and k in float32, attention
/// inside segments, output projection <c>proj</c> (with bias).
/// </summary>
public sealed class VisionAttention : nn.Module
{
    readonly int _heads;
    readonly int _headDim;
#pragma warning disable IDE1006 // module names must match the checkpoint keys
    readonly Linear qkv;
    readonly Linear proj;
#pragma warning restore IDE1006

    /// <summary>Creates the attention of one block of <paramref name="config"/>.</summary>
    public VisionAttention(VisionTowerConfig config) : base(nameof(VisionAttention))
    {
        _heads = config.NumHeads;
        _headDim = config.HeadDim;
        qkv = nn.Linear(config.HiddenSize, 3L * config.HiddenSize, hasBias: true);
        proj = nn.Linear(config.HiddenSize, config.HiddenSize, hasBias: true);
        RegisterComponents();
    }

    /// <summary>
    /// <paramref name="x"/> <c>[S, hidden]</c>; <paramref name="cuSeqlens"/> the segment boundaries;
    /// <paramref name="cos"/>/<paramref name="sin"/> float32 <c>[S, head_dim]</c>. Returns <c>[S, hidden]</c>.
    /// </summary>
    public Tensor forward(Tensor x, IReadOnlyList<int> cuSeqlens, Tensor cos, Tensor sin)
    {
        using var scope = NewDisposeScope();
        long s = x.shape[0];
        // Rows of the fused weight are q, then k, then v, each head-major.
        var parts = qkv.call(x).reshape(s, 3, _heads, _headDim).unbind(1);
        var q = VisionRotaryEmbedding.Rotate(parts[0], cos, sin);
        var k = VisionRotaryEmbedding.Rotate(parts[1], cos, sin);
        var attended = SegmentAttention.Attend(q, k, parts[2], cuSeqlens);
        return proj.call(attended).MoveToOuterDisposeScope();
    }
}
