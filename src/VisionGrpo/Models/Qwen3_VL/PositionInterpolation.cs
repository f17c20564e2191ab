using TorchSharp;
using VisionGrpo.Models.Qwen2_5_VL;
using static TorchSharp.torch;

namespace VisionGrpo.Models.Qwen3_VL;

/// <summary>
/// Where each patch reads the learned <c>side × side</c> position table (transformers' <c>fast_pos_embed_interpolate</c>):
/// an image of <c>h × w</c> patches samples it at <c>linspace(0, side−1, h) × linspace(0, side−1, w)</c> with 4-tap
/// bilinear weights (floor / floor+1 clipped), computed in float32 as upstream. Rows come in <c>pixel_values</c>
/// order (merge blocks in raster order, cells of a block in raster order, repeated per frame), so the lookup needs no
/// permutation afterwards.
/// </summary>
internal static class PositionInterpolation
{
    /// <summary>
    /// Table rows <c>[4, patches]</c> (int64) and weights <c>[4, patches]</c> (float32) for <paramref name="grids"/>;
    /// the embedding is <c>Σ_k table[index[k]] · weight[k]</c>, summed in k order.
    /// </summary>
    public static (Tensor Index, Tensor Weight) Compute(IReadOnlyList<VisionGrid> grids, int side, int mergeSize, Device? device = null)
    {
        using var scope = NewDisposeScope();
        var indices = new List<Tensor>();
        var weights = new List<Tensor>();
        foreach (var g in grids)
        {
            var (index, weight) = Raster(g.H, g.W, side);
            var order = tensor(PixelOrder(g, mergeSize));
            indices.Add(index.index_select(1, order));
            weights.Add(weight.index_select(1, order));
        }
        return (cat(indices, 1).to(device ?? CPU).MoveToOuterDisposeScope(), cat(weights, 1).to(device ?? CPU).MoveToOuterDisposeScope());
    }

    /// <summary>The four taps of every cell of an <c>h × w</c> grid in raster order: <c>[4, h·w]</c> rows and weights.</summary>
    static (Tensor Index, Tensor Weight) Raster(int h, int w, int side)
    {
        var (hFloor, hCeil, dh) = Axis(h, side);
        var (wFloor, wCeil, dw) = Axis(w, side);
        Tensor Rows(Tensor r, Tensor c) => (r.unsqueeze(1) * side + c.unsqueeze(0)).flatten();
        Tensor Weights(Tensor a, Tensor b) => (a.unsqueeze(1) * b.unsqueeze(0)).flatten();
        var index = stack([Rows(hFloor, wFloor), Rows(hFloor, wCeil), Rows(hCeil, wFloor), Rows(hCeil, wCeil)]);
        var weight = stack([Weights(1 - dh, 1 - dw), Weights(1 - dh, dw), Weights(dh, 1 - dw), Weights(dh, dw)]);
        return (index, weight);
    }

    /// <summary>Sample points along one axis: floor and clipped ceil table rows (int64) and the float32 fraction.</summary>
    static (Tensor Floor, Tensor Ceil, Tensor Fraction) Axis(int n, int side)
    {
        var points = linspace(0, side - 1, n, dtype: ScalarType.Float32);
        var floor = points.to(ScalarType.Int32);
        var ceil = (floor + 1).clamp_max(side - 1);
        return (floor.to(ScalarType.Int64), ceil.to(ScalarType.Int64), points - floor);
    }

    /// <summary>Raster cell index of every patch row of one image in <c>pixel_values</c> order.</summary>
    static long[] PixelOrder(VisionGrid g, int m)
    {
        var order = new long[g.Patches];
        int k = 0;
        for (int f = 0; f < g.T; f++)
            for (int bh = 0; bh < g.H / m; bh++)
                for (int bw = 0; bw < g.W / m; bw++)
                    for (int mh = 0; mh < m; mh++)
                        for (int mw = 0; mw < m; mw++)
                            order[k++] = (long)(bh * m + mh) * g.W + bw * m + mw;
        return order;
    }
}
