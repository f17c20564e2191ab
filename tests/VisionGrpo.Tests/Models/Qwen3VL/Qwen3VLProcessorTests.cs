using System.Text.Json;
using VisionGrpo.Vision;
using static TorchSharp.torch;
using Fx = VisionGrpo.Tests.Models.TinyFixture;

namespace VisionGrpo.Tests.Models.Qwen3VL;

/// <summary>
/// The Qwen3-VL image processing (patch 16, factor 32, mean = std = 0.5, min/max pixels 65,536 / 16,777,216) gives
/// transformers' slow <c>Qwen2VLImageProcessor</c> output bit for bit on the fixture's PNGs.
/// </summary>
public class Qwen3VLProcessorTests
{
    [Theory]
    [InlineData("case_a")]
    [InlineData("case_b")]
    [InlineData("case_c")]
    public void PixelValuesAndGridsEqualTransformers(string name)
    {
        using var scope = NewDisposeScope();
        var c = Fx.LoadCase(name, Fx.Qwen3VL);
        using var json = Fx.CaseJson(name, Fx.Qwen3VL);
        var images = json.RootElement.GetProperty("images_in_order").EnumerateArray()
            .Select(e => ImageDecoder.DecodeFile(Path.Combine(Fx.DirOf(Fx.Qwen3VL), "images", e.GetString() + ".png"))).ToArray();
        var processor = new QwenImageProcessor(ImageProcessorConfig.Load(Fx.DirOf(Fx.Qwen3VL)));
        var output = processor.Process(images);
        Assert.Equal(1536, output.PatchDim);
        Assert.Equal(Fx.Longs(c["image_grid_thw"]), output.Grids.SelectMany(g => new long[] { g.T, g.H, g.W }));
        var expected = c["pixel_values"].data<float>().ToArray();
        Assert.Equal(expected.Length, output.PixelValues.Length);
        Assert.True(expected.AsSpan().SequenceEqual(output.PixelValues), "pixel_values differ from transformers'");
    }

    [Fact]
    public void HubFileWithOnlyTheSizeDictMeansTheSameBounds()
    {
        // The hub preprocessor_config.json of Qwen3-VL gives the bounds only as size.shortest_edge/longest_edge.
        string hub = """
        {"do_convert_rgb": true, "do_normalize": true, "do_rescale": true, "do_resize": true,
         "image_mean": [0.5, 0.5, 0.5], "image_std": [0.5, 0.5, 0.5], "image_processor_type": "Qwen2VLImageProcessorFast",
         "merge_size": 2, "patch_size": 16, "resample": 3, "rescale_factor": 0.00392156862745098,
         "size": {"longest_edge": 16777216, "shortest_edge": 65536}, "temporal_patch_size": 2}
        """;
        using var doc = JsonDocument.Parse(hub);
        var fromHub = ImageProcessorConfig.Parse(doc.RootElement, "hub");
        var fixture = ImageProcessorConfig.Load(Fx.DirOf(Fx.Qwen3VL));
        Assert.Equal((65536L, 16777216L), (fromHub.MinPixels, fromHub.MaxPixels));
        Assert.Equal(fixture with { }, fromHub with { ImageMean = fixture.ImageMean, ImageStd = fixture.ImageStd });
        Assert.Equal(32, fromHub.Factor);
        // 150×200 is below min_pixels at factor 32: smart_resize scales up to 224×320, as transformers did.
        Assert.Equal((224, 320), SmartResize.Compute(150, 200, 32, fromHub.MinPixels, fromHub.MaxPixels));
    }
}
