using System.Runtime.InteropServices;
using VisionGrpo.Vision;

namespace VisionGrpo.Tests.Vision;

/// <summary>Every golden case of transformers' slow Qwen2VLImageProcessor: sizes, grids, resized pixels and
/// pixel_values must match bit for bit (PNG and JPEG alike: the SkiaSharp decoder matches Pillow's libjpeg-turbo).</summary>
public class ImageProcessorFixtureTests
{
    public static TheoryData<string> OkCases => new(ImageFixtures.CaseIds("ok"));
    public static TheoryData<string> ErrorCases => new(ImageFixtures.CaseIds("error"));

    [Fact]
    public void AllCasesArePresent() => Assert.Equal(27, ImageFixtures.CaseIds("ok").Count() + ImageFixtures.CaseIds("error").Count());

    [Theory]
    [MemberData(nameof(OkCases))]
    public void SizesGridsAndResizedPixelsMatch(string id)
    {
        var c = ImageFixtures.Load(id);
        var expected = c.GetProperty("expected");
        var processor = new QwenImageProcessor(ImageFixtures.Config(c));
        var inputs = ImageFixtures.Inputs(c);
        var resizedHw = ImageFixtures.IntRows(expected.GetProperty("resized_hw"));
        var smartHw = ImageFixtures.IntRows(expected.GetProperty("smart_resize_hw"));
        bool hasHashes = expected.TryGetProperty("resized_sha256", out var hashes);
        for (int i = 0; i < inputs.Length; i++)
        {
            if (processor.Config.DoResize)
                Assert.Equal((smartHw[i][0], smartHw[i][1]),
                    SmartResize.Compute(inputs[i].Height, inputs[i].Width, 28, processor.Config.MinPixels, processor.Config.MaxPixels));
            var resized = processor.Resize(inputs[i]);
            Assert.Equal((resizedHw[i][0], resizedHw[i][1]), (resized.Height, resized.Width));
            if (hasHashes) Assert.Equal(hashes[i].GetString(), ImageFixtures.Sha256(resized.Pixels));
        }
    }

    [Theory]
    [MemberData(nameof(OkCases))]
    public void PixelValuesMatch(string id)
    {
        var c = ImageFixtures.Load(id);
        var expected = c.GetProperty("expected");
        var pv = expected.GetProperty("pixel_values");
        var output = new QwenImageProcessor(ImageFixtures.Config(c)).Process(ImageFixtures.Inputs(c));

        var grids = ImageFixtures.IntRows(expected.GetProperty("image_grid_thw"));
        Assert.Equal(grids.Select(g => new ImageGrid(g[0], g[1], g[2])), output.Grids);
        Assert.Equal(expected.GetProperty("num_patches").GetInt32(), output.NumPatches);
        Assert.Equal(1176, output.PatchDim);

        var values = output.PixelValues;
        AssertClose(ImageFixtures.Floats(pv.GetProperty("first64")), values.AsSpan(0, 64));
        AssertClose(ImageFixtures.Floats(pv.GetProperty("last64")), values.AsSpan(values.Length - 64));
        Assert.Equal((float)pv.GetProperty("min").GetDouble(), values.Min());
        Assert.Equal((float)pv.GetProperty("max").GetDouble(), values.Max());
        double sum = 0;
        foreach (var v in values) sum += v;
        Assert.Equal(pv.GetProperty("sum_f64").GetDouble(), sum, Math.Abs(sum) * 1e-9 + 1e-6);
        Assert.Equal(pv.GetProperty("sha256_f32le").GetString(), ImageFixtures.Sha256(MemoryMarshal.AsBytes(values.AsSpan())));
    }

    [Theory]
    [MemberData(nameof(ErrorCases))]
    public void ErrorCasesRaise(string id)
    {
        var c = ImageFixtures.Load(id);
        var processor = new QwenImageProcessor(ImageFixtures.Config(c));
        var e = Assert.Throws<ArgumentException>(() => processor.Process(ImageFixtures.Inputs(c)));
        string upstream = c.GetProperty("expected").GetProperty("error_message").GetString()!;
        if (upstream.StartsWith("absolute aspect ratio", StringComparison.Ordinal))
            Assert.Contains(upstream, e.Message, StringComparison.Ordinal);
        else
            Assert.Contains("cannot patchify", e.Message, StringComparison.Ordinal);
    }

    static void AssertClose(float[] expected, ReadOnlySpan<float> actual)
    {
        Assert.Equal(expected.Length, actual.Length);
        float maxDiff = 0;
        for (int i = 0; i < expected.Length; i++) maxDiff = Math.Max(maxDiff, Math.Abs(expected[i] - actual[i]));
        Assert.True(maxDiff <= 1e-6f, $"max abs diff {maxDiff}");
    }
}
