using VisionGrpo.Vision;

namespace VisionGrpo.Tests.Vision;

/// <summary>Properties of the Pillow resampler beyond the fixture hashes.</summary>
public class PillowResizeTests
{
    [Fact]
    public void SameSizeReturnsAnEqualCopy()
    {
        var src = new RgbImage(4, 3, Enumerable.Range(0, 36).Select(i => (byte)(i * 5)).ToArray());
        var dst = PillowResize.Resize(src, 4, 3);
        Assert.NotSame(src.Pixels, dst.Pixels);
        Assert.Equal(src.Pixels, dst.Pixels);
    }

    [Theory]
    [InlineData(PillowFilter.Bicubic)]
    [InlineData(PillowFilter.Bilinear)]
    [InlineData(PillowFilter.Lanczos)]
    [InlineData(PillowFilter.Box)]
    [InlineData(PillowFilter.Hamming)]
    public void ConstantImagesStayConstant(PillowFilter filter)
    {
        // Weights are normalised to sum 2²² (up to rounding), so a flat image must come back flat.
        var src = new RgbImage(37, 23, Enumerable.Repeat((byte)173, 37 * 23 * 3).ToArray());
        foreach (var (w, h) in new[] { (11, 7), (80, 50), (37, 60), (5, 23) })
            Assert.All(PillowResize.Resize(src, w, h, filter).Pixels, v => Assert.Equal(173, v));
    }

    [Fact]
    public void OvershootIsClippedToUint8()
    {
        // A hard black/white edge makes bicubic ring; values must clip to [0, 255], not wrap around.
        var pixels = new byte[8 * 1 * 3];
        for (int x = 4; x < 8; x++) pixels[x * 3] = pixels[x * 3 + 1] = pixels[x * 3 + 2] = 255;
        var up = PillowResize.Resize(new RgbImage(8, 1, pixels), 29, 1);
        Assert.Equal(0, up.Pixels[3 * 10]);
        Assert.Equal(255, up.Pixels[3 * 18]);
        Assert.True(up.Pixels.Where((_, i) => i < 3 * 12).All(v => v < 128));
    }

    [Fact]
    public void NearestIsRejected() =>
        Assert.Throws<NotSupportedException>(() => PillowResize.Resize(new RgbImage(2, 2, new byte[12]), 3, 3, PillowFilter.Nearest));
}
