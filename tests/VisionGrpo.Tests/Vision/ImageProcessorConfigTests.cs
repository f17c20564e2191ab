using System.Text.Json;
using VisionGrpo.Vision;

namespace VisionGrpo.Tests.Vision;

/// <summary>Reading <c>preprocessor_config.json</c>.</summary>
public class ImageProcessorConfigTests
{
    static ImageProcessorConfig Parse(string json)
    {
        using var doc = JsonDocument.Parse(json);
        return ImageProcessorConfig.Parse(doc.RootElement, "preprocessor_config.json");
    }

    [Fact]
    public void ReadsTheQwen25VlFile()
    {
        var c = Parse("""
            {"min_pixels": 3136, "max_pixels": 12845056, "patch_size": 14, "temporal_patch_size": 2, "merge_size": 2,
             "image_mean": [0.48145466, 0.4578275, 0.40821073], "image_std": [0.26862954, 0.26130258, 0.27577711],
             "image_processor_type": "Qwen2VLImageProcessor", "processor_class": "Qwen2_5_VLProcessor"}
            """);
        Assert.Equal(3136, c.MinPixels);
        Assert.Equal(12845056, c.MaxPixels);
        Assert.Equal(28, c.Factor);
        Assert.Equal(PillowFilter.Bicubic, c.Resample);
        Assert.True(c.DoResize && c.DoRescale && c.DoNormalize);
    }

    [Fact]
    public void SizeDictIsTheFallbackAndClassDefaultsApply()
    {
        Assert.Equal((100L, 2000L), (Parse("""{"size": {"shortest_edge": 100, "longest_edge": 2000}}""") is var c ? (c.MinPixels, c.MaxPixels) : default));
        var d = Parse("{}");
        Assert.Equal((3136L, 1003520L), (d.MinPixels, d.MaxPixels));
        Assert.Equal(1.0 / 255, d.RescaleFactor);
    }

    [Theory]
    [InlineData("""{"max_pixels": "big"}""", "max_pixels")]
    [InlineData("""{"image_mean": [0.5, 0.5]}""", "image_mean")]
    [InlineData("""{"min_pixels": 5000, "max_pixels": 4000}""", "max_pixels")]
    [InlineData("""{"resample": 0}""", "resample")]
    [InlineData("""{"do_resize": 1}""", "do_resize")]
    public void BadValuesNameTheFieldAndFile(string json, string field)
    {
        var e = Assert.Throws<InvalidDataException>(() => Parse(json));
        Assert.Contains(field, e.Message);
        Assert.Contains("preprocessor_config.json", e.Message);
    }
}
