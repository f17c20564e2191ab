using TorchSharp;
using TorchSharp.Modules;
using VisionGrpo.Tensors;
using VisionGrpo.Tensors.OneRow;
using static TorchSharp.torch;

namespace VisionGrpo.Models.Qwen2;

/// <summary>SwiGLU MLP <c>down(silu(gate(x)) · up(x))</c> without biases.</summary>
public sealed class Qwen2MLP : nn.Module<Tensor, Tensor>
{
    /// <summary>Gate projection (hidden → intermediate).</summary>
    public readonly Linear gate_proj;
    /// <summary>Up projection (hidden → intermediate).</summary>
    public readonly Linear up_proj;
    /// <summary>Down projection (intermediate → hidden).</summary>
    public readonly Linear down_proj;

    /// <summary>Creates the three projections in <paramref name="dtype"/>.</summary>
    public Qwen2MLP(Qwen2TextConfig config, ScalarType dtype, Device? device) : base(nameof(Qwen2MLP))
    {
        gate_proj = nn.Linear(config.HiddenSize, config.IntermediateSize, hasBias: false, device: device, dtype: dtype);
        up_proj = nn.Linear(config.HiddenSize, config.IntermediateSize, hasBias: false, device: device, dtype: dtype);
        down_proj = nn.Linear(config.IntermediateSize, config.HiddenSize, hasBias: false, device: device, dtype: dtype);
        RegisterComponents();
    }

    /// <summary>Applies the MLP to <c>[..., hidden]</c>.</summary>
    public override Tensor forward(Tensor x)
    {
        using var scope = torch.NewDisposeScope();
        // Projections through RowSplitProduct: unchanged module calls, except at batch-1 decode (a row-split GEMV).
        var gateUp = RowSplitProduct.CallAll(x, gate_proj, up_proj);
        // Batch-1 decode: silu(gate)·up computed into the gate row (managed), not two ops and two tensors.
        var hidden = OneRowKernels.Applies(gateUp[0], gateUp[1])
            ? OneRowKernels.SiluMulInto(gateUp[0], gateUp[1])
            : nn.functional.silu(gateUp[0]) * gateUp[1];
        return RowSplitProduct.Call(down_proj, hidden).MoveToOuterDisposeScope();
    }
}
