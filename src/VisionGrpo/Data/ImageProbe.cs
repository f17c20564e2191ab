using SkiaSharp;

namespace VisionGrpo.Data;

/// <summary>Header facts of an encoded image.</summary>
/// <param name="Format">PNG, JPEG, GIF, WEBP, BMP, …</param>
/// <param name="Width">Width in pixels.</param>
/// <param name="Height">Height in pixels.</param>
public readonly record struct ImageInfo(string Format, int Width, int Height);

/// <summary>Cheap image checks for data validation and listings (full decoding for training lives in Vision/).</summary>
public static class ImageProbe
{
    /// <summary>Reads the header; null when the bytes are not a decodable image format.</summary>
    public static ImageInfo? TryProbe(byte[] encoded)
    {
        using var data = SKData.CreateCopy(encoded);
        using var codec = SKCodec.Create(data);
        if (codec is null) return null;
        string format = codec.EncodedFormat switch
        {
            SKEncodedImageFormat.Jpeg => "JPEG",
            var f => f.ToString().ToUpperInvariant(),
        };
        return new ImageInfo(format, codec.Info.Width, codec.Info.Height);
    }

    /// <summary>Decodes to packed 8-bit RGB (alpha dropped, gray replicated), as Pillow's <c>convert("RGB")</c>.</summary>
    /// <exception cref="InvalidDataException">The bytes do not decode.</exception>
    public static byte[] DecodeRgb(byte[] encoded, out int width, out int height)
    {
        using var data = SKData.CreateCopy(encoded);
        using var codec = SKCodec.Create(data) ?? throw new InvalidDataException("not a decodable image");
        var info = new SKImageInfo(codec.Info.Width, codec.Info.Height, SKColorType.Rgba8888, SKAlphaType.Unpremul);
        using var bitmap = new SKBitmap(info);
        var result = codec.GetPixels(info, bitmap.GetPixels());
        if (result is not (SKCodecResult.Success or SKCodecResult.IncompleteInput))
            throw new InvalidDataException($"image decode failed: {result}");
        if (result == SKCodecResult.IncompleteInput) throw new InvalidDataException("image data is truncated");
        width = info.Width;
        height = info.Height;
        ReadOnlySpan<byte> rgba = bitmap.GetPixelSpan();
        var rgb = new byte[width * height * 3];
        for (int p = 0, q = 0; p < rgba.Length; p += 4, q += 3)
        {
            rgb[q] = rgba[p];
            rgb[q + 1] = rgba[p + 1];
            rgb[q + 2] = rgba[p + 2];
        }
        return rgb;
    }
    /// <summary>Fully decodes the image; null when it decodes, else the reason (unknown format, truncated, corrupt).</summary>
    public static string? DecodeProblem(byte[] encoded)
    {
        try
        {
            DecodeRgb(encoded, out _, out _);
            return null;
        }
        catch (InvalidDataException e)
        {
            return e.Message;
        }
    }
}
