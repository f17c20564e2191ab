using TorchSharp;
using static TorchSharp.torch;

namespace VisionGrpo.Models.Qwen2_5_VL;

/// <summary>
/// M-RoPE position ids (HF <c>get_rope_index</c>) for images and text: <c>[3, B, L]</c> (t, h, w) plus
/// <c>rope_deltas</c> <c>[B, 1]</c> = max position + 1 − padded length, which turns a decode slot index into its
/// position. Left padding is skipped (pad slots hold 1, never attended).
/// </summary>
internal static class RopeIndex
{
    /// <summary>Tensor front end: <paramref name="inputIds"/> <c>[B, L]</c>, optional mask <c>[B, L]</c> and grids <c>[N, 3]</c>.</summary>
    public static (Tensor PositionIds, Tensor RopeDeltas) Compute(Tensor inputIds, Tensor? attentionMask, Tensor? imageGridThw,
        int imageTokenId, int videoTokenId, int spatialMergeSize)
    {
        int b = (int)inputIds.shape[0], l = (int)inputIds.shape[1];
        long[] ids = inputIds.to(ScalarType.Int64).cpu().data<long>().ToArray();
        long[]? mask = attentionMask?.to(ScalarType.Int64).cpu().data<long>().ToArray();
        long[]? grids = imageGridThw?.to(ScalarType.Int64).cpu().data<long>().ToArray();
        var (pos, deltas) = Compute(ids, mask, grids, b, l, imageTokenId, videoTokenId, spatialMergeSize);
        var device = inputIds.device;
        return (torch.tensor(pos, [3, b, l], ScalarType.Int64).to(device), torch.tensor(deltas, [b, 1], ScalarType.Int64).to(device));
    }

    /// <summary>Array core: row-major <c>[B·L]</c> ids and mask, <c>[N·3]</c> grids; returns row-major <c>[3·B·L]</c> and <c>[B]</c>.</summary>
    public static (long[] Positions, long[] Deltas) Compute(long[] ids, long[]? mask, long[]? grids, int batch, int length,
        int imageTokenId, int videoTokenId, int spatialMergeSize)
    {
        if (ids.Length != batch * length) throw new ArgumentException($"input_ids has {ids.Length} values, expected {batch}×{length}.");
        if (mask is not null && mask.Length != ids.Length) throw new ArgumentException($"attention_mask has {mask.Length} values, expected {batch}×{length}.");
        var pos = new long[3 * batch * length];
        var deltas = new long[batch];
        int imageCount = grids is null ? 0 : grids.Length / 3;
        int nextImage = 0;
        for (int row = 0; row < batch; row++)
        {
            void Set(int i, long t, long h, long w)
            {
                pos[(0 * batch + row) * length + i] = t;
                pos[(1 * batch + row) * length + i] = h;
                pos[(2 * batch + row) * length + i] = w;
            }
            var valid = new List<int>(length);
            for (int i = 0; i < length; i++)
            {
                if (mask is null || mask[row * length + i] == 1) valid.Add(i);
                else Set(i, 1, 1, 1);
            }
            long next = 0, max = long.MinValue;
            for (int v = 0; v < valid.Count;)
            {
                long token = ids[row * length + valid[v]];
                if (token == videoTokenId)
                    throw new NotSupportedException($"input_ids row {row} contains video tokens ({videoTokenId}); video input is not supported.");
                if (token != imageTokenId)
                {
                    Set(valid[v], next, next, next);
                    max = Math.Max(max, next);
                    next++;
                    v++;
                    continue;
                }
                if (nextImage >= imageCount)
                    throw new ArgumentException($"input_ids row {row} has more <|image_pad|> runs than image_grid_thw has rows ({imageCount}).");
                long gt = grids![nextImage * 3], gh = grids[nextImage * 3 + 1] / spatialMergeSize, gw = grids[nextImage * 3 + 2] / spatialMergeSize;
                nextImage++;
                long count = gt * gh * gw;
                if (v + count > valid.Count)
                    throw new ArgumentException($"input_ids row {row}: image {nextImage - 1} needs {count} <|image_pad|> tokens but the row ends first.");
                long baseIndex = next;
                for (long k = 0; k < count; k++)
                {
                    int slot = valid[v + (int)k];
                    if (ids[row * length + slot] != imageTokenId)
                        throw new ArgumentException($"input_ids row {row}: image {nextImage - 1} (grid {gt}×{gh * spatialMergeSize}×{gw * spatialMergeSize}) needs {count} consecutive <|image_pad|> tokens, found another token at {slot}.");
                    long c = k % gw, r = k / gw % gh;
                    // Still images have a single temporal step: t stays at the base.
                    Set(slot, baseIndex, baseIndex + r, baseIndex + c);
                    max = Math.Max(max, Math.Max(baseIndex + r, baseIndex + c));
                }
                next = max + 1;
                v += (int)count;
            }
            // HF's text-only branch takes the max over the whole row, pad slots (1) included.
            if (grids is null && valid.Count < length) max = Math.Max(max, 1);
            deltas[row] = valid.Count == 0 ? 1 - length : max + 1 - length;
        }
        if (grids is not null && nextImage != imageCount)
            throw new ArgumentException($"image_grid_thw has {imageCount} rows but input_ids contain only {nextImage} images.");
        return (pos, deltas);
    }
}
