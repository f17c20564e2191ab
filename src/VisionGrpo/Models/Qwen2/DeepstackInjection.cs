using TorchSharp;
using static TorchSharp.torch;

namespace VisionGrpo.Models.Qwen2;

/// <summary>
/// Qwen3-VL's DeepStack: vision features taken from intermediate vision blocks, added to the hidden state of the
/// image-token rows after decoder layer 0, 1, … (one feature level per layer, in order). HF's
/// <c>_deepstack_process</c>: <c>h[visual_pos_masks] += features[k]</c>.
/// </summary>
public sealed class DeepstackInjection
{
    /// <summary>Flat indices (into <c>B·L</c>) of the image-token rows, row-major, 1-D int64.</summary>
    public required Tensor Rows { get; init; }
    /// <summary>Per level <c>[image tokens, hidden]</c>, rows in the order of <see cref="Rows"/>.</summary>
    public required IReadOnlyList<Tensor> Features { get; init; }

    /// <summary>Builds the injection for the positions of <paramref name="imageTokenId"/> in <paramref name="inputIds"/> <c>[B, L]</c>.</summary>
    internal static DeepstackInjection ForImageTokens(Tensor inputIds, int imageTokenId, IReadOnlyList<Tensor> features)
    {
        var rows = inputIds.reshape(-1).eq(imageTokenId).nonzero().squeeze(1);
        foreach (var f in features)
            if (f.shape[0] != rows.shape[0])
                throw new ArgumentException($"DeepStack features have {f.shape[0]} rows but input_ids hold {rows.shape[0]} image tokens ({imageTokenId}).");
        return new DeepstackInjection { Rows = rows, Features = features };
    }

    /// <summary>Adds level <paramref name="level"/> to <paramref name="hidden"/> <c>[B, L, H]</c> (a new tensor); levels past the last leave it unchanged.</summary>
    public Tensor AddAfterLayer(Tensor hidden, int level)
    {
        if (level >= Features.Count) return hidden;
        long b = hidden.shape[0], l = hidden.shape[1], h = hidden.shape[2];
        var features = Features[level].to(hidden.dtype, hidden.device);
        return hidden.reshape(b * l, h).index_add(0, Rows.to(hidden.device), features, 1).reshape(b, l, h);
    }
}
