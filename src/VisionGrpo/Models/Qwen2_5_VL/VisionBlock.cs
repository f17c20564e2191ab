using TorchSharp;
using static TorchSharp.torch;

namespace VisionGrpo.Models.Qwen2_5_VL;

/// <summary>
/// One pre-norm vision block: <c>h += attn(norm1(h))</c>, then <c>h += mlp(norm2(h))</c>, residual in the model dtype.
/// Parameters: <c>norm1.weight</c>, <c>norm2.weight</c>, <c>attn.*</c>, <c>mlp.*</c>.
/// </summary>
public sealed class VisionBlock : nn.Module
{
#pragma warning disable IDE1006 // module names must match the checkpoint keys
    readonly VisionRmsNorm norm1;
    readonly VisionRmsNorm norm2;
    readonly VisionAttention attn;
    readonly VisionMlp mlp;
#pragma warning restore IDE1006

    /// <summary>Creates a block of <paramref name="config"/> (norm eps 1e-6, hard-coded upstream).</summary>
    public VisionBlock(Qwen2_5_VLVisionConfig config) : base(nameof(VisionBlock))
    {
        norm1 = new VisionRmsNorm(config.HiddenSize);
        norm2 = new VisionRmsNorm(config.HiddenSize);
        attn = new VisionAttention(config);
        mlp = new VisionMlp(config);
        RegisterComponents();
    }

    /// <summary>Runs the block on <c>[S, hidden]</c> with attention segments <paramref name="cuSeqlens"/>.</summary>
    public Tensor forward(Tensor h, IReadOnlyList<int> cuSeqlens, Tensor cos, Tensor sin)
    {
        using var scope = NewDisposeScope();
        h = h + attn.forward(norm1.forward(h), cuSeqlens, cos, sin);
        h = h + mlp.forward(norm2.forward(h));
        return h.MoveToOuterDisposeScope();
    }
}
