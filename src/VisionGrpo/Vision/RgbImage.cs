namespace VisionGrpo.Vision;

/// <summary>An 8-bit RGB image stored row-major as height × width × 3 bytes (HWC), the layout the
/// reference processor holds after <c>convert("RGB")</c>.</summary>
public sealed class RgbImage
{
    /// <summary>Wraps <paramref name="pixels"/> (not copied) as a <paramref name="width"/> × <paramref name="height"/> image.</summary>
    /// <exception cref="ArgumentException">A side is not positive or the buffer length is not width·height·3.</exception>
    public RgbImage(int width, int height, byte[] pixels)
    {
        ArgumentNullException.ThrowIfNull(pixels);
        if (width <= 0 || height <= 0)
            throw new ArgumentException($"image size must be positive, got {width}x{height} (width x height)");
        if (pixels.LongLength != (long)width * height * 3)
            throw new ArgumentException($"pixel buffer has {pixels.LongLength} bytes, a {width}x{height} RGB image needs {(long)width * height * 3}");
        Width = width;
        Height = height;
        Pixels = pixels;
    }

    /// <summary>Width in pixels.</summary>
    public int Width { get; }

    /// <summary>Height in pixels.</summary>
    public int Height { get; }

    /// <summary>Row-major HWC bytes: pixel (x, y) channel c is at <c>(y·Width + x)·3 + c</c>.</summary>
    public byte[] Pixels { get; }

    /// <inheritdoc />
    public override string ToString() => $"RgbImage {Width}x{Height}";
}
