using TorchSharp;
using TorchSharp.Modules;
using VisionGrpo.Models.Qwen2_5_VL;
using static TorchSharp.torch;

namespace VisionGrpo.Models.Qwen3_VL;

/// <summary>
/// Merges each group of merge² consecutive patch rows into one token: LayerNorm (<c>norm</c>) → concatenate the
/// group → <c>linear_fc1</c> → exact (erf) GELU → <c>linear_fc2</c>. The main merger normalizes each patch before
/// the concatenation; the DeepStack mergers (<c>use_postshuffle_norm</c>) normalize the concatenated group.
/// </summary>
public sealed class Qwen3VLPatchMerger : nn.Module<Tensor, Tensor>
{
    readonly long _mergedWidth;
    readonly bool _postShuffleNorm;
#pragma warning disable IDE1006 // module names must match the checkpoint keys
    readonly LayerNorm norm;
    readonly Linear linear_fc1;
    readonly Linear linear_fc2;
#pragma warning restore IDE1006

    /// <summary>Creates a merger of <paramref name="config"/>; <paramref name="postShuffleNorm"/> for the DeepStack ones.</summary>
    public Qwen3VLPatchMerger(Qwen3VLVisionConfig config, bool postShuffleNorm) : base(nameof(Qwen3VLPatchMerger))
    {
        _mergedWidth = (long)config.HiddenSize * config.SpatialMergeUnit;
        _postShuffleNorm = postShuffleNorm;
        norm = nn.LayerNorm(postShuffleNorm ? _mergedWidth : config.HiddenSize, VisionBlock.NormEps);
        linear_fc1 = nn.Linear(_mergedWidth, _mergedWidth, hasBias: true);
        linear_fc2 = nn.Linear(_mergedWidth, config.OutHiddenSize, hasBias: true);
        RegisterComponents();
    }

    /// <summary>Maps <c>[S, hidden]</c> (S a multiple of merge²) to <c>[S/merge², out_hidden_size]</c>.</summary>
    public override Tensor forward(Tensor x)
    {
        using var scope = NewDisposeScope();
        var grouped = _postShuffleNorm ? norm.forward(x.reshape(-1, _mergedWidth)) : norm.forward(x).reshape(-1, _mergedWidth);
        return linear_fc2.call(nn.functional.gelu(linear_fc1.call(grouped))).MoveToOuterDisposeScope();
    }
}
