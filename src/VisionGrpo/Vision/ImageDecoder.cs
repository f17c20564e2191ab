using System.Diagnostics;
using SkiaSharp;

namespace VisionGrpo.Vision;

/// <summary>Decodes PNG, JPEG, GIF (first frame), BMP and WebP to 8-bit RGB exactly as
/// <c>PIL.Image.open(f).convert("RGB")</c> does for the modes the reference processor meets.</summary>
/// <remarks>SkiaSharp is used because it wraps libjpeg-turbo and libpng like Pillow; on the fixtures its JPEG
/// pixels equal Pillow's bit for bit (docs/vision.md). Alpha is dropped without compositing, L/LA become R=G=B,
/// palette images (PNG and GIF) take their palette colour even for the transparent index — all as Pillow's
/// <c>convert("RGB")</c>.</remarks>
public static class ImageDecoder
{
    /// <summary>Reads and decodes the file at <paramref name="path"/>.</summary>
    /// <exception cref="ImageDecodeException">The file is not a decodable image.</exception>
    public static RgbImage DecodeFile(string path, ImageDecodeOptions? options = null)
    {
        ArgumentNullException.ThrowIfNull(path);
        byte[] bytes;
        try
        {
            bytes = File.ReadAllBytes(path);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            throw new ImageDecodeException(path, e.Message, e);
        }
        return Decode(bytes, path, options);
    }

    /// <summary>Decodes <paramref name="data"/>; <paramref name="source"/> (a path or "dataset row N") names it in errors.</summary>
    /// <exception cref="ImageDecodeException">The bytes are empty, corrupt, truncated, zero-sized or a decompression bomb.</exception>
    public static RgbImage Decode(ReadOnlySpan<byte> data, string source, ImageDecodeOptions? options = null)
    {
        options ??= ImageDecodeOptions.Default;
        if (data.IsEmpty) throw new ImageDecodeException(source, "no bytes (empty file or field)");
        using var skData = Prepared(data);
        using var codec = SKCodec.Create(new SKMemoryStream(skData), out var createResult);
        if (codec is null)
            throw new ImageDecodeException(source, $"not a recognised PNG/JPEG/GIF/BMP/WebP image or corrupt header ({createResult})");

        int width = codec.Info.Width, height = codec.Info.Height;
        if (width <= 0 || height <= 0) throw new ImageDecodeException(source, $"zero-sized image ({width}x{height})");
        CheckDecompressionBomb(source, width, height, options);

        if ((long)width * height * 4 > Array.MaxLength)
            throw new ImageDecodeException(source, $"image too large to decode in memory ({width}x{height})");
        var rgba = DecodeRgba(codec, source, width, height);
        var image = new RgbImage(width, height, DropAlpha(rgba, width * height));
        return options.ExifTranspose ? ExifOrientation.Apply(image, (int)codec.EncodedOrigin) : image;
    }

    /// <summary>Reads only the header and returns (width, height) as stored (before any EXIF transpose).</summary>
    /// <exception cref="ImageDecodeException">The header cannot be parsed.</exception>
    public static (int Width, int Height) ReadSize(ReadOnlySpan<byte> data, string source)
    {
        if (data.IsEmpty) throw new ImageDecodeException(source, "no bytes (empty file or field)");
        using var skData = Prepared(data);
        using var codec = SKCodec.Create(new SKMemoryStream(skData), out var result)
            ?? throw new ImageDecodeException(source, $"not a recognised image or corrupt header ({result})");
        return (codec.Info.Width, codec.Info.Height);
    }

    // The bytes Skia should see: Pillow's view of a GIF's first frame, a PNG without its (possibly huge) text chunks.
    static SKData Prepared(ReadOnlySpan<byte> data) =>
        (GifTransparency.WithoutFirstFrameTransparency(data) ?? PngTextChunks.Without(data)) is { } changed
            ? SKData.CreateCopy(changed) : SKData.CreateCopy(data);

    static void CheckDecompressionBomb(string source, int width, int height, ImageDecodeOptions options)
    {
        if (options.MaxImagePixels is not long max) return;
        long pixels = (long)width * height;
        if (pixels > 2 * max)
            throw new ImageDecodeException(source,
                $"image size ({pixels} pixels, {width}x{height}) exceeds limit of {2 * max} pixels, could be decompression bomb DOS attack");
        if (pixels > max)
        {
            var message = $"image {source} has {pixels} pixels ({width}x{height}), above the limit of {max}: could be a decompression bomb";
            if (options.Warning is { } warn) warn(message);
            else Trace.TraceWarning(message);
        }
    }

    static byte[] DecodeRgba(SKCodec codec, string source, int width, int height)
    {
        // Unpremultiplied and without a colour space: the stored colour values come through unchanged, like Pillow
        // (which ignores ICC profiles and gamma chunks when converting to RGB).
        var info = new SKImageInfo(width, height, SKColorType.Rgba8888, SKAlphaType.Unpremul);
        var rgba = GC.AllocateUninitializedArray<byte>(width * height * 4);
        SKCodecResult result;
        unsafe
        {
            fixed (byte* p = rgba)
                result = codec.GetPixels(info, (IntPtr)p, new SKCodecOptions(0)); // frame 0 = first GIF/WebP frame
        }
        return result switch
        {
            SKCodecResult.Success => rgba,
            SKCodecResult.IncompleteInput => throw new ImageDecodeException(source, "image file is truncated"),
            _ => throw new ImageDecodeException(source, $"decoding failed ({result})"),
        };
    }

    static byte[] DropAlpha(byte[] rgba, int pixels)
    {
        var rgb = GC.AllocateUninitializedArray<byte>(pixels * 3);
        for (int s = 0, d = 0; d < rgb.Length; s += 4, d += 3)
        {
            rgb[d] = rgba[s];
            rgb[d + 1] = rgba[s + 1];
            rgb[d + 2] = rgba[s + 2];
        }
        return rgb;
    }
}
