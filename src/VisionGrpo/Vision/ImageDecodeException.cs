namespace VisionGrpo.Vision;

/// <summary>An image could not be decoded (corrupt, truncated, unsupported, empty or too large).
/// The message always names the source: a file path or a dataset row.</summary>
public sealed class ImageDecodeException : Exception
{
    /// <summary>Creates the exception for <paramref name="source"/> with a reason.</summary>
    public ImageDecodeException(string source, string reason, Exception? inner = null)
        : base($"cannot decode image {source}: {reason}", inner)
    {
        ImageSource = source;
        Reason = reason;
    }

    /// <summary>What is wrong with the bytes, without the source.</summary>
    public string Reason { get; }

    /// <summary>Where the bytes came from (file path, URL or "dataset row N"), as passed to the decoder.</summary>
    public string ImageSource { get; }
}
