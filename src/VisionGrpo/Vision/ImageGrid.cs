namespace VisionGrpo.Vision;

/// <summary>One row of <c>image_grid_thw</c>: temporal, height and width in patches (before the 2×2 merge).</summary>
/// <param name="T">Temporal patches (1 for a still image).</param>
/// <param name="H">Patch rows (resized height / patch_size).</param>
/// <param name="W">Patch columns (resized width / patch_size).</param>
public readonly record struct ImageGrid(int T, int H, int W)
{
    /// <summary>Rows this image contributes to <c>pixel_values</c>: T·H·W.</summary>
    public int Patches => T * H * W;

    /// <inheritdoc />
    public override string ToString() => $"[{T}, {H}, {W}]";
}
