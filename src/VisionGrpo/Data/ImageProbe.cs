using SkiaSharp;
using VisionGrpo.Vision;

namespace VisionGrpo.Data;

/// <summary>Header facts of an encoded image.</summary>
/// <param name="Format">PNG, JPEG, GIF, WEBP, BMP, …</param>
/// <param name="Width">Width in pixels.</param>
/// <param name="Height">Height in pixels.</param>
internal readonly record struct ImageInfo(string Format, int Width, int Height);

/// <summary>Cheap image checks for data validation and listings (full decoding for training lives in Vision/).</summary>
internal static class ImageProbe
{
    /// <summary>Reads the header; null when the bytes are not a decodable image format.</summary>
    public static ImageInfo? TryProbe(byte[] encoded)
    {
        using var data = SKData.CreateCopy(PngTextChunks.Without(encoded) ?? encoded);
        using var codec = SKCodec.Create(data);
        if (codec is null) return null;
        string format = codec.EncodedFormat switch
        {
            SKEncodedImageFormat.Jpeg => "JPEG",
            var f => f.ToString().ToUpperInvariant(),
        };
        return new ImageInfo(format, codec.Info.Width, codec.Info.Height);
    }

    /// <summary>
    /// Decodes to packed 8-bit RGB (alpha dropped, gray replicated), as Pillow's <c>convert("RGB")</c>, with the
    /// decompression-bomb limit the processor applies (<see cref="ImageDecoder"/>: the size is checked from the
    /// header before any pixel memory is taken).
    /// </summary>
    /// <exception cref="InvalidDataException">The bytes do not decode, or declare too many pixels.</exception>
    public static byte[] DecodeRgb(byte[] encoded, out int width, out int height)
    {
        RgbImage image;
        try { image = ImageDecoder.Decode(encoded, "image", Quiet); }
        catch (ImageDecodeException e) { throw new InvalidDataException(e.Reason, e); }
        (width, height) = (image.Width, image.Height);
        return image.Pixels;
    }

    /// <summary>
    /// Null when the image can be used for training, else the reason: it does not decode (unknown format, truncated,
    /// corrupt, a decompression bomb) or its aspect ratio is beyond what the Qwen image processor accepts.
    /// </summary>
    public static string? DecodeProblem(byte[] encoded)
    {
        try
        {
            DecodeRgb(encoded, out int width, out int height);
            double ratio = (double)Math.Max(width, height) / Math.Min(width, height);
            return ratio > SmartResize.MaxAspectRatio
                ? $"its aspect ratio ({width}x{height}) is above {SmartResize.MaxAspectRatio}, which the image processor refuses"
                : null;
        }
        catch (InvalidDataException e)
        {
            return e.Message;
        }
    }

    // Validation only asks whether the image is usable: the warning band below the hard limit stays silent here.
    static readonly ImageDecodeOptions Quiet = new() { Warning = _ => { } };
}
