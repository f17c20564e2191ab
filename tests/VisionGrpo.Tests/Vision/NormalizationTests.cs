using VisionGrpo.Vision;

namespace VisionGrpo.Tests.Vision;

/// <summary>Rescale + normalise arithmetic and the patchify layout.</summary>
public class NormalizationTests
{
    [Theory]
    [InlineData(0, -1.7922625541687012, -1.7520971298217773, -1.480219841003418)]
    [InlineData(128, 0.07633614540100098, 0.16889731585979462, 0.33994877338409424)]
    [InlineData(255, 1.9303361177444458, 2.0748836994171143, 2.1458969116210938)]
    public void ReferenceValuesAreBitExact(byte u, double r, double g, double b)
    {
        var image = new RgbImage(28, 28, Enumerable.Repeat(u, 28 * 28 * 3).ToArray());
        var output = new QwenImageProcessor(new ImageProcessorConfig { DoResize = false }).Process(image);
        float[] expected = [(float)r, (float)g, (float)b];
        for (int c = 0; c < 3; c++)
            Assert.Equal(expected[c], output.PixelValues[c * 2 * 196]); // column ((c·2 + t)·14 + py)·14 + px
    }

    [Fact]
    public void PatchifyFollowsTheClosedFormIndex()
    {
        // Distinct bytes per position so a wrong index shows; no rescale/normalise, so values are the bytes.
        const int h = 56, w = 84;
        var pixels = new byte[h * w * 3];
        for (int i = 0; i < pixels.Length; i++) pixels[i] = (byte)(i * 7 % 251);
        var config = new ImageProcessorConfig { DoResize = false, DoRescale = false, DoNormalize = false };
        var output = new QwenImageProcessor(config).Process(new RgbImage(w, h, pixels));
        Assert.Equal(new ImageGrid(1, 4, 6), output.Grids[0]);
        int bw = 3;
        for (int bh = 0; bh < 2; bh++)
        for (int bx = 0; bx < bw; bx++)
        for (int mh = 0; mh < 2; mh++)
        for (int mw = 0; mw < 2; mw++)
        for (int c = 0; c < 3; c++)
        for (int t = 0; t < 2; t++)
        for (int py = 0; py < 14; py += 5)
        for (int px = 0; px < 14; px += 3)
        {
            int r = ((bh * bw + bx) * 2 + mh) * 2 + mw, q = ((c * 2 + t) * 14 + py) * 14 + px;
            int y = (bh * 2 + mh) * 14 + py, x = (bx * 2 + mw) * 14 + px;
            Assert.Equal(pixels[(y * w + x) * 3 + c], output.PixelValues[r * 1176 + q]);
        }
    }

    [Fact]
    public void BatchIsTheConcatenationOfSingleImages()
    {
        var processor = new QwenImageProcessor(new ImageProcessorConfig { MaxPixels = 50176 });
        var rng = new Random(5);
        var images = new[] { (40, 30), (200, 90), (64, 64) }.Select(s =>
        {
            var p = new byte[s.Item1 * s.Item2 * 3];
            rng.NextBytes(p);
            return new RgbImage(s.Item1, s.Item2, p);
        }).ToArray();
        var batch = processor.Process(images, maxDegreeOfParallelism: 3);
        var singles = images.SelectMany(i => processor.Process(i).PixelValues).ToArray();
        Assert.Equal(singles, batch.PixelValues);
        Assert.Equal(images.Select(i => processor.Process(i).Grids[0]), batch.Grids);
        Assert.Equal(new long[] { 1, 4, 6, 1, 6, 14, 1, 4, 4 }, batch.GridThw());
    }

    [Fact]
    public void NoResizeRejectsSidesThatAreNotMultiplesOf28()
    {
        var processor = new QwenImageProcessor(new ImageProcessorConfig { DoResize = false });
        var e = Assert.Throws<ArgumentException>(() => processor.Process(new RgbImage(30, 28, new byte[30 * 28 * 3])));
        Assert.Contains("image 0: cannot patchify a 30x28 image", e.Message);
    }
}
