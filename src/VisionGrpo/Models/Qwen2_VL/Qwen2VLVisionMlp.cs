using TorchSharp;
using TorchSharp.Modules;
using VisionGrpo.Models.Qwen2_5_VL;
using static TorchSharp.torch;

namespace VisionGrpo.Models.Qwen2_VL;

/// <summary>Non-gated MLP of a Qwen2-VL vision block, both linears with bias: <c>fc2(act(fc1(x)))</c> (QuickGELU in the released models).</summary>
public sealed class Qwen2VLVisionMlp : nn.Module<Tensor, Tensor>
{
    readonly string _activation;
#pragma warning disable IDE1006 // module names must match the checkpoint keys
    readonly Linear fc1;
    readonly Linear fc2;
#pragma warning restore IDE1006

    /// <summary>Creates the MLP of one block of <paramref name="config"/>: embed_dim → embed_dim·mlp_ratio → embed_dim.</summary>
    public Qwen2VLVisionMlp(Qwen2VLVisionConfig config) : base(nameof(Qwen2VLVisionMlp))
    {
        _activation = config.HiddenAct;
        fc1 = nn.Linear(config.HiddenSize, config.MlpWidth, hasBias: true);
        fc2 = nn.Linear(config.MlpWidth, config.HiddenSize, hasBias: true);
        RegisterComponents();
    }

    /// <inheritdoc/>
    public override Tensor forward(Tensor x)
    {
        using var scope = NewDisposeScope();
        return fc2.call(VisionActivation.Apply(_activation, fc1.call(x))).MoveToOuterDisposeScope();
    }
}
