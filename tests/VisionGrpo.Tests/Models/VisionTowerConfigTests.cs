using System.Text.Json;
using VisionGrpo.Models.Qwen2_5_VL;

namespace VisionGrpo.Tests.Models;

public class VisionTowerConfigTests
{
    static Qwen2_5_VLVisionConfig Parse(string json)
    {
        using var doc = JsonDocument.Parse(json);
        return Qwen2_5_VLVisionConfig.FromJson(doc.RootElement);
    }

    [Fact]
    public void ReadsTheFixtureConfig()
    {
        var c = VisionTowerFixture.Config();
        Assert.Equal(4, c.Depth);
        Assert.Equal(64, c.HiddenSize);
        Assert.Equal(128, c.IntermediateSize);
        Assert.Equal(4, c.NumHeads);
        Assert.Equal(16, c.HeadDim);
        Assert.Equal(64, c.OutHiddenSize);
        Assert.Equal([1, 3], c.FullAttBlockIndexes);
        Assert.Equal(1176, c.PatchDim);
        Assert.Equal(4, c.WindowMergedTokens);
        Assert.Equal(2, c.TokensPerSecond);
    }

    [Fact]
    public void ReadsTheHubShapeOf3B()
    {
        // The vision_config of the Qwen2.5-VL-3B-Instruct hub file: in_chans only, legacy spatial_patch_size.
        var c = Parse("""
            {"depth": 32, "hidden_act": "silu", "hidden_size": 1280, "intermediate_size": 3420, "num_heads": 16,
             "in_chans": 3, "out_hidden_size": 2048, "patch_size": 14, "spatial_merge_size": 2, "spatial_patch_size": 14,
             "window_size": 112, "fullatt_block_indexes": [7, 15, 23, 31], "tokens_per_second": 2, "temporal_patch_size": 2}
            """);
        Assert.Equal(Qwen2_5_VLVisionConfig.Qwen2_5_VL_3B with { FullAttBlockIndexes = c.FullAttBlockIndexes }, c);
        Assert.Equal([7, 15, 23, 31], c.FullAttBlockIndexes);
        Assert.Equal(80, c.HeadDim);
        Assert.Equal(4, c.WindowMergedTokens);
    }

    [Fact]
    public void MissingAndNullKeysTakeTheClassDefaults()
    {
        var c = Parse("""{"hidden_size": null, "in_channels": 1}""");
        Assert.Equal(32, c.Depth);
        Assert.Equal(3584, c.HiddenSize);
        Assert.Equal(3584, c.OutHiddenSize);
        Assert.Equal(1, c.InChannels);
        Assert.Equal(4, c.TokensPerSecond);
        Assert.Equal("silu", c.HiddenAct);
    }

    [Theory]
    [InlineData("""{"in_chans": 3, "in_channels": 4}""", "in_chans (3) and in_channels (4) disagree")]
    [InlineData("""{"patch_size": 14, "spatial_patch_size": 16}""", "spatial_patch_size")]
    [InlineData("""{"depth": "four"}""", "vision_config.depth must be an integer")]
    [InlineData("""{"depth": 4, "fullatt_block_indexes": [1, 4]}""", "fullatt_block_indexes contains 4")]
    [InlineData("""{"hidden_size": 100, "num_heads": 16}""", "not divisible by num_heads")]
    [InlineData("""{"hidden_act": "swish7"}""", "hidden_act 'swish7'")]
    [InlineData("""{"window_size": 100}""", "window_size (100)")]
    [InlineData("""{"model_type": "qwen2_vl"}""", "Qwen2-VL")]
    [InlineData("""[1, 2]""", "JSON object")]
    public void BadValuesFailWithTheKeyInTheMessage(string json, string expected)
    {
        var e = Assert.Throws<FormatException>(() => Parse(json));
        Assert.Contains(expected, e.Message);
    }
}
