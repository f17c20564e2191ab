using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace VisionGrpo.Models.Qwen2_5_VL;

/// <summary>Gated MLP of a vision block, all linears with bias: <c>down_proj(act(gate_proj(x)) · up_proj(x))</c>.</summary>
public sealed class VisionMlp : nn.Module<Tensor, Tensor>
{
    readonly string _activation;
#pragma warning disable IDE1006 // module names must match the checkpoint keys
    readonly Linear gate_proj;
    readonly Linear up_proj;
    readonly Linear down_proj;
#pragma warning restore IDE1006

    /// <summary>Creates the MLP of one block of <paramref name="config"/>.</summary>
    public VisionMlp(Qwen2_5_VLVisionConfig config) : base(nameof(VisionMlp))
    {
        _activation = config.HiddenAct;
        gate_proj = nn.Linear(config.HiddenSize, config.IntermediateSize, hasBias: true);
        up_proj = nn.Linear(config.HiddenSize, config.IntermediateSize, hasBias: true);
        down_proj = nn.Linear(config.IntermediateSize, config.HiddenSize, hasBias: true);
        RegisterComponents();
    }

    /// <inheritdoc/>
    public override Tensor forward(Tensor x)
    {
        using var scope = NewDisposeScope();
        var gated = VisionActivation.Apply(_activation, gate_proj.call(x)) * up_proj.call(x);
        return down_proj.call(gated).MoveToOuterDisposeScope();
    }
}
