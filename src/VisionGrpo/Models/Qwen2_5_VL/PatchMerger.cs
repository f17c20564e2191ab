using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace VisionGrpo.Models.Qwen2_5_VL;

/// <summary>
/// Merges each group of spatial_merge_size² consecutive patch rows into one output token:
/// <c>ln_q</c> (per patch: RMSNorm in Qwen2.5-VL, LayerNorm in Qwen2-VL) → concatenate the group → <c>mlp.0</c> →
/// exact (erf) GELU → <c>mlp.2</c>.
/// </summary>
public sealed class PatchMerger : nn.Module<Tensor, Tensor>
{
    readonly long _mergedWidth;
#pragma warning disable IDE1006 // module names must match the checkpoint keys
    readonly nn.Module<Tensor, Tensor> ln_q;
    readonly Sequential mlp;
#pragma warning restore IDE1006

    /// <summary>
    /// Creates the merger of <paramref name="config"/>: hidden·merge² → hidden·merge² → out_hidden_size, with
    /// <paramref name="norm"/> (given the width) as <c>ln_q</c>.
    /// </summary>
    public PatchMerger(VisionTowerConfig config, Func<long, nn.Module<Tensor, Tensor>> norm) : base(nameof(PatchMerger))
    {
        _mergedWidth = (long)config.HiddenSize * config.SpatialMergeUnit;
        ln_q = norm(config.HiddenSize);
        // Index names 0 and 2 match the checkpoint; index 1 (the GELU) has no parameters.
        mlp = nn.Sequential(
            ("0", nn.Linear(_mergedWidth, _mergedWidth, hasBias: true)),
            ("1", nn.GELU()),
            ("2", nn.Linear(_mergedWidth, config.OutHiddenSize, hasBias: true)));
        RegisterComponents();
    }

    /// <summary>Maps <c>[S, hidden]</c> (S a multiple of merge²) to <c>[S/merge², out_hidden_size]</c>.</summary>
    public override Tensor forward(Tensor x)
    {
        using var scope = NewDisposeScope();
        return mlp.forward(ln_q.call(x).reshape(-1, _mergedWidth)).MoveToOuterDisposeScope();
    }
}
