namespace VisionGrpo.Vision;

/// <summary>How <see cref="ImageDecoder"/> turns encoded bytes into an <see cref="RgbImage"/>.</summary>
public sealed record ImageDecodeOptions
{
    /// <summary>Pillow's <c>Image.MAX_IMAGE_PIXELS</c>: above this a warning is raised, above twice this decoding fails.</summary>
    public const long PillowMaxImagePixels = 89_478_485;

    /// <summary>Defaults: pixels as stored (no EXIF transpose), Pillow's decompression-bomb limits.</summary>
    public static ImageDecodeOptions Default { get; } = new();

    /// <summary>Apply the EXIF orientation as transformers' <c>load_image</c> does (<c>ImageOps.exif_transpose</c>).
    /// Off by default: a decoded image handed to the processor is used as stored.</summary>
    public bool ExifTranspose { get; init; }

    /// <summary>Warning threshold in pixels (width·height); decoding fails above twice this. <c>null</c> disables both.</summary>
    public long? MaxImagePixels { get; init; } = PillowMaxImagePixels;

    /// <summary>Receives the decompression-bomb warning; when unset it goes to <see cref="System.Diagnostics.Trace"/>.</summary>
    public Action<string>? Warning { get; init; }
}
