using TorchSharp;
using static TorchSharp.torch;

namespace VisionGrpo.Models.Qwen2_5_VL;

/// <summary>One row of <c>image_grid_thw</c>: an image or video in patch units (frames, rows, columns).</summary>
/// <param name="T">Temporal patches (1 for a still image).</param>
/// <param name="H">Patch rows.</param>
/// <param name="W">Patch columns.</param>
public readonly record struct VisionGrid(int T, int H, int W)
{
    /// <summary>Patch rows of this grid in <c>pixel_values</c>: T·H·W.</summary>
    public int Patches => T * H * W;

    /// <summary>
    /// Reads an <c>[n, 3]</c> integer tensor and checks every row against the merge size: H and W must be multiples
    /// of <paramref name="spatialMergeSize"/> because the processor always emits whole 2×2 merge blocks.
    /// </summary>
    /// <exception cref="ArgumentException">Wrong shape, dtype or values; the message names the row.</exception>
    internal static IReadOnlyList<VisionGrid> FromTensor(Tensor gridThw, int spatialMergeSize)
    {
        ArgumentNullException.ThrowIfNull(gridThw);
        if (gridThw.ndim != 2 || gridThw.shape[1] != 3)
            throw new ArgumentException($"grid_thw must have shape [n, 3], got [{string.Join(", ", gridThw.shape)}].", nameof(gridThw));
        if (gridThw.dtype is not (ScalarType.Int64 or ScalarType.Int32))
            throw new ArgumentException($"grid_thw must be int64 or int32, got {gridThw.dtype}.", nameof(gridThw));
        if (gridThw.shape[0] == 0) return [];
        long[] values;
        using (var cpu = gridThw.to(ScalarType.Int64, CPU).contiguous()) values = cpu.data<long>().ToArray();
        var grids = new VisionGrid[gridThw.shape[0]];
        for (int i = 0; i < grids.Length; i++)
        {
            long t = values[3 * i], h = values[3 * i + 1], w = values[3 * i + 2];
            if (t <= 0 || h <= 0 || w <= 0 || t * h * w > int.MaxValue)
                throw new ArgumentException($"grid_thw row {i} = [{t}, {h}, {w}]: every entry must be positive (and the patch count fit in an int).", nameof(gridThw));
            if (h % spatialMergeSize != 0 || w % spatialMergeSize != 0)
                throw new ArgumentException($"grid_thw row {i} = [{t}, {h}, {w}]: height and width must be multiples of spatial_merge_size {spatialMergeSize}.", nameof(gridThw));
            grids[i] = new VisionGrid((int)t, (int)h, (int)w);
        }
        return grids;
    }

    /// <summary>
    /// The grids of <paramref name="gridThw"/>, checked against <paramref name="pixelValues"/>: at least one image
    /// and exactly one pixel row per patch.
    /// </summary>
    internal static IReadOnlyList<VisionGrid> ForPixels(Tensor pixelValues, Tensor gridThw, int spatialMergeSize)
    {
        var grids = FromTensor(gridThw, spatialMergeSize);
        if (grids.Count == 0) throw new ArgumentException("grid_thw has no rows: the vision tower needs at least one image or video.", nameof(gridThw));
        long patches = grids.Sum(g => (long)g.Patches);
        if (pixelValues.ndim != 2 || pixelValues.shape[0] != patches)
            throw new ArgumentException($"pixel_values has shape [{string.Join(", ", pixelValues.shape)}] but grid_thw describes {patches} patches (rows).", nameof(pixelValues));
        return grids;
    }

    /// <summary>Patch-row boundaries of every frame, <c>[0, h·w, 2·h·w, …]</c> (transformers' full-attention <c>cu_seqlens</c>).</summary>
    internal static int[] FrameBoundaries(IReadOnlyList<VisionGrid> grids)
    {
        var cu = new List<int> { 0 };
        foreach (var g in grids)
            for (int f = 0; f < g.T; f++) cu.Add(cu[^1] + g.H * g.W);
        return [.. cu];
    }
}
