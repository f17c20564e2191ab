using TorchSharp;
using VisionGrpo.Tensors.OneRow;
using static TorchSharp.torch;

namespace VisionGrpo.Models.Qwen2;

/// <summary>Pre-norm decoder block: <c>h += Attn(RMSNorm(h)); h += MLP(RMSNorm(h))</c>, residual in the model dtype.</summary>
public sealed class Qwen2DecoderLayer : nn.Module
{
    /// <summary>Norm before attention.</summary>
    public readonly Qwen2RMSNorm input_layernorm;
    /// <summary>Self-attention.</summary>
    public readonly Qwen2Attention self_attn;
    /// <summary>Norm before the MLP.</summary>
    public readonly Qwen2RMSNorm post_attention_layernorm;
    /// <summary>SwiGLU MLP.</summary>
    public readonly Qwen2MLP mlp;

    /// <summary>Creates layer <paramref name="layerIndex"/>.</summary>
    public Qwen2DecoderLayer(Qwen2TextConfig config, int layerIndex, ScalarType dtype, Device? device) : base(nameof(Qwen2DecoderLayer))
    {
        input_layernorm = new Qwen2RMSNorm(config.HiddenSize, config.RmsNormEps, dtype, device);
        self_attn = new Qwen2Attention(config, layerIndex, dtype, device);
        post_attention_layernorm = new Qwen2RMSNorm(config.HiddenSize, config.RmsNormEps, dtype, device);
        mlp = new Qwen2MLP(config, dtype, device);
        RegisterComponents();
    }

    /// <summary>Runs the block on <c>[B, L, hidden]</c>.</summary>
    public Tensor forward(Tensor hidden, DecoderInputs inputs)
    {
        using var scope = torch.NewDisposeScope();
        var h = Residual(hidden, self_attn.forward(input_layernorm.forward(hidden), inputs));
        h = Residual(h, mlp.forward(post_attention_layernorm.forward(h)));
        return h.MoveToOuterDisposeScope();
    }

    /// <summary><c>h + update</c>; at batch-1 decode added into <paramref name="update"/> (a fresh projection output) by managed code.</summary>
    static Tensor Residual(Tensor h, Tensor update) =>
        OneRowKernels.Applies(h, update) && update.numel() == h.numel() ? OneRowKernels.AddInto(h, update) : h + update;
}
