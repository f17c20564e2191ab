namespace VisionGrpo.Models.Qwen2_5_VL;

/// <summary>
/// How the vision tower groups patches for attention: the window permutation of merged tokens and the segment
/// boundaries (in patches, on the permuted sequence) of window and full attention.
/// </summary>
/// <param name="WindowIndex">New merged-token slot j holds old merged token <c>WindowIndex[j]</c>.</param>
/// <param name="CuWindowSeqlens">Cumulative window boundaries, leading 0, repeated boundaries (empty windows) removed.</param>
/// <param name="CuSeqlens">Cumulative boundaries of every frame of every image, leading 0 (full-attention blocks).</param>
internal sealed record VisionWindowLayout(long[] WindowIndex, int[] CuWindowSeqlens, int[] CuSeqlens)
{
    /// <summary>
    /// Computes the layout of transformers' <c>get_window_index</c>: per image and frame, merged tokens are laid on
    /// their grid, padded at the bottom/right to whole windows of <paramref name="windowMergedTokens"/>² cells (a full
    /// extra window when already divisible, as upstream does), and read window by window in raster order.
    /// </summary>
    public static VisionWindowLayout Compute(IReadOnlyList<VisionGrid> grids, int windowMergedTokens, int spatialMergeSize)
    {
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(windowMergedTokens);
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(spatialMergeSize);
        int ws = windowMergedTokens, unit = spatialMergeSize * spatialMergeSize;
        var index = new List<long>();
        var cuWindow = new List<int> { 0 };
        long offset = 0;
        foreach (var g in grids)
        {
            int lh = g.H / spatialMergeSize, lw = g.W / spatialMergeSize;
            int windowsH = (lh + ws - lh % ws) / ws, windowsW = (lw + ws - lw % ws) / ws;
            for (int f = 0; f < g.T; f++)
            {
                for (int wy = 0; wy < windowsH; wy++)
                    for (int wx = 0; wx < windowsW; wx++)
                    {
                        int cells = 0;
                        for (int r = wy * ws; r < Math.Min((wy + 1) * ws, lh); r++)
                            for (int c = wx * ws; c < Math.Min((wx + 1) * ws, lw); c++)
                            {
                                index.Add(offset + ((long)f * lh + r) * lw + c);
                                cells++;
                            }
                        // Empty (all-padding) windows repeat the previous boundary; dropped below like unique_consecutive.
                        int boundary = cuWindow[^1] + cells * unit;
                        if (boundary != cuWindow[^1]) cuWindow.Add(boundary);
                    }
            }
            offset += (long)g.T * lh * lw;
        }
        return new VisionWindowLayout([.. index], [.. cuWindow], VisionGrid.FrameBoundaries(grids));
    }

    /// <summary>The inverse permutation: merged token i sits at slot <c>result[i]</c> of the window order.</summary>
    public long[] InverseWindowIndex()
    {
        var inverse = new long[WindowIndex.Length];
        for (int j = 0; j < WindowIndex.Length; j++) inverse[WindowIndex[j]] = j;
        return inverse;
    }
}
