using TorchSharp;
using static TorchSharp.torch;

namespace VisionGrpo.Models.Qwen2_5_VL;

/// <summary>
/// The 2-D rotary embedding of the vision tower: every patch gets a (row, column) position; half of each head's
/// rotary pairs turn with the row, half with the column. Nothing here is a parameter (HF keeps <c>inv_freq</c> as a
/// non-persistent buffer), so this is a plain class and never appears in a state dict.
/// </summary>
public sealed class VisionRotaryEmbedding
{
    const double Theta = 10000.0;
    readonly int _dim;
    readonly int _mergeSize;

    /// <summary>Creates the embedding for <paramref name="config"/>: rotary width head_dim/2 per axis half.</summary>
    public VisionRotaryEmbedding(VisionTowerConfig config)
    {
        _dim = config.HeadDim / 2;
        _mergeSize = config.SpatialMergeSize;
    }

    /// <summary>
    /// Per-patch (row, column) positions in <c>pixel_values</c> order: merge blocks in raster order, cells of a block
    /// in raster order, the list repeated for every frame. Returned flat as <c>[row0, col0, row1, col1, …]</c>.
    /// </summary>
    public long[] PositionIds(IReadOnlyList<VisionGrid> grids)
    {
        int m = _mergeSize;
        var ids = new long[2 * grids.Sum(g => (long)g.Patches)];
        int k = 0;
        foreach (var g in grids)
            for (int f = 0; f < g.T; f++)
                for (int bh = 0; bh < g.H / m; bh++)
                    for (int bw = 0; bw < g.W / m; bw++)
                        for (int mh = 0; mh < m; mh++)
                            for (int mw = 0; mw < m; mw++)
                            {
                                ids[k++] = bh * m + mh;
                                ids[k++] = bw * m + mw;
                            }
        return ids;
    }

    /// <summary>
    /// Frequency table <c>[positions, head_dim/4]</c>: <c>p · inv_freq[j]</c> in float32, with
    /// <c>inv_freq = 1 / 10000^(2j/dim)</c> built in float32 in transformers' operation order.
    /// </summary>
    public Tensor FrequencyTable(int positions, Device? device = null)
    {
        using var scope = NewDisposeScope();
        var exponent = arange(0, _dim, 2, dtype: ScalarType.Float32, device: device) / _dim;
        var invFreq = full_like(exponent, Theta).pow(exponent).reciprocal();
        var seq = arange(positions, dtype: ScalarType.Float32, device: device);
        return outer(seq, invFreq).MoveToOuterDisposeScope();
    }

    /// <summary>
    /// Per-patch rotary angles <c>[patches, head_dim/2]</c> (row frequencies, then column frequencies) in
    /// <c>pixel_values</c> order — the tensor transformers calls <c>rot_pos_emb(grid_thw)</c>.
    /// </summary>
    public Tensor PatchFrequencies(IReadOnlyList<VisionGrid> grids, Device? device = null)
    {
        using var scope = NewDisposeScope();
        int maxGrid = grids.Count == 0 ? 1 : grids.Max(g => Math.Max(g.H, g.W));
        var table = FrequencyTable(maxGrid, device);
        long[] ids = PositionIds(grids);
        var index = tensor(ids, device: device);
        // [P·2] positions -> [P, 2, dim/2] angles -> [P, dim].
        return table.index_select(0, index).reshape(ids.Length / 2, -1).MoveToOuterDisposeScope();
    }

    /// <summary>The float32 <c>cos</c>/<c>sin</c> <c>[S, head_dim]</c> of per-patch angles <c>[S, head_dim/2]</c> (each angle used twice).</summary>
    internal static (Tensor Cos, Tensor Sin) CosSin(Tensor freqs)
    {
        var emb = cat([freqs, freqs], -1);
        return (emb.cos(), emb.sin());
    }

    /// <summary>
    /// Applies the rotation to <c>[S, heads, head_dim]</c> queries or keys in float32 (as transformers does) and
    /// casts back. <paramref name="cos"/>/<paramref name="sin"/> are float32 <c>[S, head_dim]</c>.
    /// </summary>
    internal static Tensor Rotate(Tensor x, Tensor cos, Tensor sin)
    {
        using var scope = NewDisposeScope();
        var x32 = x.to(ScalarType.Float32);
        long half = x.shape[^1] / 2;
        var rotated = cat([-x32.narrow(-1, half, half), x32.narrow(-1, 0, half)], -1);
        var c = cos.unsqueeze(1);
        var s = sin.unsqueeze(1);
        return (x32 * c + rotated * s).to(x.dtype).MoveToOuterDisposeScope();
    }
}
