namespace VisionGrpo.Vision;

/// <summary>Pillow's resampling filters, numbered like <c>PIL.Image.Resampling</c> (the <c>resample</c> value in
/// <c>preprocessor_config.json</c>).</summary>
public enum PillowFilter
{
    /// <summary>0: nearest neighbour (not a convolution in Pillow; not supported by <see cref="PillowResize"/>).</summary>
    Nearest = 0,

    /// <summary>1: Lanczos, support 3.</summary>
    Lanczos = 1,

    /// <summary>2: bilinear (triangle), support 1.</summary>
    Bilinear = 2,

    /// <summary>3: bicubic with a = −0.5, support 2 — the Qwen2-VL default.</summary>
    Bicubic = 3,

    /// <summary>4: box, support 0.5.</summary>
    Box = 4,

    /// <summary>5: Hamming-windowed sinc, support 1.</summary>
    Hamming = 5,
}
