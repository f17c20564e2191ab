using TorchSharp;
using VisionGrpo.Models.Qwen2_5_VL;
using static TorchSharp.torch;

namespace VisionGrpo.Models;

/// <summary>
/// Decoder positions of one forward of a Qwen VL model (HF <c>Qwen*VLModel.forward</c>): at prefill (no cache or an
/// empty one) the M-RoPE index of <see cref="RopeIndex"/>, whose <c>rope_deltas</c> the cache keeps; while decoding,
/// <c>cache slot + rope_delta</c> in all three rows (HF's <c>cache_position + rope_deltas</c>).
/// </summary>
internal static class MropePositions
{
    /// <summary>Positions <c>[3, B, L]</c> and deltas <c>[B, 1]</c> for <paramref name="ids"/> <c>[B, L]</c>.</summary>
    public static (Tensor Positions, Tensor Deltas) Compute(Tensor ids, Tensor? attentionMask, Tensor? imageGridThw, KvCache? cache,
        int imageTokenId, int videoTokenId, int spatialMergeSize)
    {
        if (cache is null || cache.Length == 0)
        {
            var (positions, deltas) = RopeIndex.Compute(ids, attentionMask, imageGridThw, imageTokenId, videoTokenId, spatialMergeSize);
            if (cache is not null)
            {
                cache.RopeDeltas?.Dispose();
                cache.RopeDeltas = deltas.clone().DetachFromDisposeScope();
            }
            return (positions, deltas);
        }
        var delta = cache.RopeDeltas ?? torch.zeros(ids.shape[0], 1, dtype: ScalarType.Int64, device: ids.device);
        var slots = torch.arange(cache.Length, cache.Length + ids.shape[1], dtype: ScalarType.Int64, device: ids.device);
        var decode = (slots.unsqueeze(0) + delta.to(ids.device)).unsqueeze(0).expand(3, -1, -1).contiguous();
        return (decode, delta.clone());
    }
}
