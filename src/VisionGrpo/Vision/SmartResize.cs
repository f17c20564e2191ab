namespace VisionGrpo.Vision;

/// <summary>Qwen2-VL's <c>smart_resize</c>: the target size whose sides are multiples of <c>factor</c>
/// (patch_size·merge_size = 28) and whose area lies within [min_pixels, max_pixels], as the newest transformers code
/// computes it (no "smaller than factor" error, the max-pixels branch clamped to at least one factor).</summary>
internal static class SmartResize
{
    /// <summary>The largest allowed ratio between the longer and the shorter side (exactly 200 is allowed).</summary>
    public const double MaxAspectRatio = 200;

    /// <summary>Returns (height, width) for an input of <paramref name="height"/> × <paramref name="width"/>.</summary>
    /// <exception cref="ArgumentException">A side is not positive, the aspect ratio exceeds 200, or the bounds are invalid.</exception>
    public static (int Height, int Width) Compute(int height, int width, int factor, long minPixels, long maxPixels)
    {
        if (height <= 0 || width <= 0) throw new ArgumentException($"image size must be positive, got height {height}, width {width}");
        if (factor <= 0) throw new ArgumentException($"factor must be positive, got {factor}", nameof(factor));
        if (minPixels > maxPixels) throw new ArgumentException($"min_pixels ({minPixels}) is larger than max_pixels ({maxPixels})");

        // Python true division of two ints is correctly rounded, as is double division of exactly representable ints.
        double ratio = (double)Math.Max(height, width) / Math.Min(height, width);
        if (ratio > MaxAspectRatio)
            throw new ArgumentException($"absolute aspect ratio must be smaller than {MaxAspectRatio}, got {ratio.ToString("R", System.Globalization.CultureInfo.InvariantCulture)} (image {width}x{height})");

        // Python's round() is round-half-to-even, which is Math.Round's default.
        long hBar = (long)Math.Round((double)height / factor) * factor;
        long wBar = (long)Math.Round((double)width / factor) * factor;
        double area = (double)height * width;
        if (hBar * wBar > maxPixels)
        {
            double beta = Math.Sqrt(area / maxPixels);
            hBar = Math.Max(factor, (long)Math.Floor(height / beta / factor) * factor);
            wBar = Math.Max(factor, (long)Math.Floor(width / beta / factor) * factor);
        }
        else if (hBar * wBar < minPixels)
        {
            double beta = Math.Sqrt(minPixels / area);
            hBar = (long)Math.Ceiling(height * beta / factor) * factor;
            wBar = (long)Math.Ceiling(width * beta / factor) * factor;
        }
        return (checked((int)hBar), checked((int)wBar));
    }
}
