using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace VisionGrpo.Models.Qwen2_5_VL;

/// <summary>
/// The non-gated MLP of a vision block, both linears with bias: <c>fc2(act(fc1(x)))</c>, hidden → MLP width →
/// hidden. Qwen2-VL names its linears <c>fc1</c>/<c>fc2</c> (QuickGELU), Qwen3-VL <c>linear_fc1</c>/<c>linear_fc2</c>
/// (tanh GELU); the names are given so the parameters carry the checkpoint keys.
/// </summary>
public sealed class VisionPlainMlp : nn.Module<Tensor, Tensor>
{
    readonly string _activation;
    // Held in an array, not as fields: TorchSharp would also list Module-typed fields under their field names.
    readonly Linear[] _fc;

    /// <summary>Creates the MLP of one block of <paramref name="config"/> with linears named <paramref name="fc1Name"/> and <paramref name="fc2Name"/>.</summary>
    public VisionPlainMlp(VisionTowerConfig config, string fc1Name, string fc2Name) : base(nameof(VisionPlainMlp))
    {
        _activation = config.HiddenAct;
        _fc = [nn.Linear(config.HiddenSize, config.MlpWidth, hasBias: true), nn.Linear(config.MlpWidth, config.HiddenSize, hasBias: true)];
        register_module(fc1Name, _fc[0]);
        register_module(fc2Name, _fc[1]);
    }

    /// <inheritdoc/>
    public override Tensor forward(Tensor x)
    {
        using var scope = NewDisposeScope();
        return _fc[1].call(VisionActivation.Apply(_activation, _fc[0].call(x))).MoveToOuterDisposeScope();
    }
}
