using TorchSharp;
using TorchSharp.Modules;
using VisionGrpo.Models.Qwen2_5_VL;
using static TorchSharp.torch;

namespace VisionGrpo.Models.Qwen3_VL;

/// <summary>Non-gated MLP of a Qwen3-VL vision block: <c>linear_fc2(act(linear_fc1(x)))</c>, both with bias.</summary>
public sealed class Qwen3VLVisionMlp : nn.Module<Tensor, Tensor>
{
    readonly string _activation;
#pragma warning disable IDE1006 // module names must match the checkpoint keys
    readonly Linear linear_fc1;
    readonly Linear linear_fc2;
#pragma warning restore IDE1006

    /// <summary>Creates the MLP of one block of <paramref name="config"/>.</summary>
    public Qwen3VLVisionMlp(Qwen3VLVisionConfig config) : base(nameof(Qwen3VLVisionMlp))
    {
        _activation = config.HiddenAct;
        linear_fc1 = nn.Linear(config.HiddenSize, config.IntermediateSize, hasBias: true);
        linear_fc2 = nn.Linear(config.IntermediateSize, config.HiddenSize, hasBias: true);
        RegisterComponents();
    }

    /// <inheritdoc/>
    public override Tensor forward(Tensor x)
    {
        using var scope = NewDisposeScope();
        return linear_fc2.call(VisionActivation.Apply(_activation, linear_fc1.call(x))).MoveToOuterDisposeScope();
    }
}
