using VisionGrpo.Vision;

namespace VisionGrpo.Tests.Vision;

/// <summary>The eight EXIF orientations as Pillow's transpose methods.</summary>
public class ExifOrientationTests
{
    // 3 wide × 2 high, pixel value = index so moves are visible: row 0 = a b c, row 1 = d e f.
    static readonly RgbImage Sample = new(3, 2, Enumerable.Range(0, 6).SelectMany(i => new[] { (byte)i, (byte)i, (byte)i }).ToArray());

    static byte[] Gray(RgbImage image) => image.Pixels.Where((_, i) => i % 3 == 0).ToArray();

    [Theory]
    [InlineData(1, 3, 2, new byte[] { 0, 1, 2, 3, 4, 5 })]
    [InlineData(2, 3, 2, new byte[] { 2, 1, 0, 5, 4, 3 })]
    [InlineData(3, 3, 2, new byte[] { 5, 4, 3, 2, 1, 0 })]
    [InlineData(4, 3, 2, new byte[] { 3, 4, 5, 0, 1, 2 })]
    [InlineData(5, 2, 3, new byte[] { 0, 3, 1, 4, 2, 5 })]
    [InlineData(6, 2, 3, new byte[] { 3, 0, 4, 1, 5, 2 })] // 90° clockwise: bottom-left goes to top-left
    [InlineData(7, 2, 3, new byte[] { 5, 2, 4, 1, 3, 0 })]
    [InlineData(8, 2, 3, new byte[] { 2, 5, 1, 4, 0, 3 })] // 90° counter-clockwise: top-right goes to top-left
    public void MatchesPillowTranspose(int orientation, int w, int h, byte[] expected)
    {
        var result = ExifOrientation.Apply(Sample, orientation);
        Assert.Equal((w, h), (result.Width, result.Height));
        Assert.Equal(expected, Gray(result));
    }
}
