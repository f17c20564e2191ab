namespace VisionGrpo.Vision;

/// <summary>Applies an EXIF orientation (tag 0x0112, values 1–8) the way Pillow's <c>ImageOps.exif_transpose</c>
/// does, so that the pixels end up upright.</summary>
internal static class ExifOrientation
{
    /// <summary>Returns <paramref name="image"/> transposed for <paramref name="orientation"/>; 1 or an unknown
    /// value returns the same instance (Pillow leaves such images untouched).</summary>
    public static RgbImage Apply(RgbImage image, int orientation)
    {
        ArgumentNullException.ThrowIfNull(image);
        if (orientation is < 2 or > 8) return image;
        int w = image.Width, h = image.Height;
        bool swap = orientation >= 5; // 5–8 exchange the axes
        int ow = swap ? h : w, oh = swap ? w : h;
        var src = image.Pixels;
        var dst = new byte[src.Length];
        for (int y = 0; y < oh; y++)
        {
            for (int x = 0; x < ow; x++)
            {
                // Source coordinate of output pixel (x, y); the cases mirror Pillow's transpose methods.
                (int sx, int sy) = orientation switch
                {
                    2 => (w - 1 - x, y),          // FLIP_LEFT_RIGHT
                    3 => (w - 1 - x, h - 1 - y),  // ROTATE_180
                    4 => (x, h - 1 - y),          // FLIP_TOP_BOTTOM
                    5 => (y, x),                  // TRANSPOSE
                    6 => (y, h - 1 - x),          // ROTATE_270 (90° clockwise)
                    7 => (w - 1 - y, h - 1 - x),  // TRANSVERSE
                    _ => (w - 1 - y, x),          // 8: ROTATE_90 (90° counter-clockwise)
                };
                int s = (sy * w + sx) * 3, d = (y * ow + x) * 3;
                dst[d] = src[s];
                dst[d + 1] = src[s + 1];
                dst[d + 2] = src[s + 2];
            }
        }
        return new RgbImage(ow, oh, dst);
    }
}
