using TorchSharp;
using static TorchSharp.torch;

namespace VisionGrpo.Models.Qwen2_5_VL;

/// <summary>The <c>hidden_act</c> values of <see cref="VisionTowerConfig.SupportedActivations"/>, by transformers' names.</summary>
internal static class VisionActivation
{
    /// <summary>Applies activation <paramref name="name"/> element-wise.</summary>
    public static Tensor Apply(string name, Tensor x) => name switch
    {
        "silu" => nn.functional.silu(x),
        "gelu" => nn.functional.gelu(x),
        "gelu_pytorch_tanh" => nn.functional.gelu(x, TorchSharp.Modules.GELU.Approximate.tanh),
        "quick_gelu" => x * (x * 1.702).sigmoid(),
        _ => throw new NotSupportedException($"vision hidden_act '{name}' is not supported."),
    };
}
