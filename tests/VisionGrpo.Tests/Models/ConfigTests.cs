using TorchSharp;
using VisionGrpo.Models;
using VisionGrpo.Models.Qwen2_5_VL;

namespace VisionGrpo.Tests.Models;

public class ConfigTests
{
    [Fact]
    public void TinyConfigReadsTopLevelTokenIdsAndMropeSection()
    {
        var c = QwenVLConfig.Load(TinyFixture.Dir);
        Assert.Equal("qwen2_5_vl", c.ModelType);
        Assert.Equal(1012, c.ImageTokenId); // text_config.image_token_id is a stale null
        Assert.Equal(1013, c.VideoTokenId);
        Assert.Equal(new[] { 2, 2, 4 }, c.Text.MropeSection);
        Assert.Equal(16, c.Text.HeadDim);
        Assert.False(c.Text.TieWordEmbeddings);
        Assert.Equal(1e6, c.Text.RopeTheta);
        Assert.Equal(64, c.Vision!.OutHiddenSize);
        Assert.Equal(new[] { 1002 }, c.EosTokenIds);
    }

    [Fact]
    public void ParameterCountOfTheReal3BConfig()
    {
        var counts = ParameterCounts.FromConfig(QwenVLConfig.Load(TinyFixture.Config3B));
        Assert.Equal(668_684_288, counts.Vision);
        Assert.Equal(3_085_938_688, counts.Language);
        Assert.Equal(0, counts.LmHead);
        Assert.Equal(3_754_622_976, counts.Total);
    }

    [Fact]
    public void ParameterCountOfTheTinyConfigMatchesTheBuiltModule()
    {
        var config = QwenVLConfig.Load(TinyFixture.Dir);
        Assert.Equal(529_600, ParameterCounts.FromConfig(config).Total);
        VisionGrpo.Tensors.TorchRuntime.EnsureInitialized();
        using var model = new QwenVLForConditionalGeneration(config);
        Assert.Equal(529_600, model.parameters().Sum(p => p.numel()));
    }

    [Fact]
    public void NestedV5ConfigWithRopeParameters()
    {
        const string json = """
        {"model_type": "qwen2_5_vl", "dtype": "bfloat16", "image_token_id": 7, "tie_word_embeddings": true,
         "text_config": {"model_type": "qwen2_5_vl_text", "hidden_size": 32, "intermediate_size": 64, "num_hidden_layers": 1,
           "num_attention_heads": 4, "num_key_value_heads": 1, "vocab_size": 100, "tie_word_embeddings": false,
           "image_token_id": null, "rope_parameters": {"rope_type": "default", "rope_theta": 5000.0, "mrope_section": [1, 1, 2]}},
         "vision_config": {"depth": 1, "hidden_size": 16, "intermediate_size": 32, "num_heads": 2, "in_channels": 3,
           "out_hidden_size": 32, "patch_size": 14, "spatial_merge_size": 2, "temporal_patch_size": 2, "window_size": 112,
           "fullatt_block_indexes": [0]}}
        """;
        var c = QwenVLConfig.Parse(json, "nested.json");
        Assert.Equal(7, c.ImageTokenId);
        Assert.True(c.Text.TieWordEmbeddings); // top level wins
        Assert.Equal(5000.0, c.Text.RopeTheta);
        Assert.Equal(new[] { 1, 1, 2 }, c.Text.MropeSection);
        Assert.Equal(1, c.Text.NumKeyValueHeads);
        Assert.Equal("bfloat16", c.TorchDtype);
    }

    [Fact]
    public void TextOnlyQwen2ConfigHasNoVision()
    {
        const string json = """
        {"model_type": "qwen2", "hidden_size": 896, "intermediate_size": 4864, "num_hidden_layers": 24,
         "num_attention_heads": 14, "num_key_value_heads": 2, "vocab_size": 151936, "rope_theta": 1000000.0,
         "rope_scaling": null, "tie_word_embeddings": true, "eos_token_id": 151645}
        """;
        var c = QwenVLConfig.Parse(json, "qwen2.json");
        Assert.Null(c.Vision);
        Assert.Null(c.Text.MropeSection);
        Assert.Equal(64, c.Text.HeadDim);
        // Qwen2.5-0.5B: 494,032,768 parameters with the tied head.
        Assert.Equal(494_032_768, ParameterCounts.FromConfig(c).Total);
    }

    [Theory]
    [InlineData("""{"model_type": "llava"}""", "model_type 'llava' is not supported")]
    [InlineData("""{"model_type": "qwen2", "hidden_size": 64, "intermediate_size": 8, "num_hidden_layers": 1, "num_attention_heads": 4, "num_key_value_heads": 3, "vocab_size": 10}""", "multiple of num_key_value_heads")]
    [InlineData("""{"model_type": "qwen2", "hidden_size": 64, "intermediate_size": 8, "num_hidden_layers": 1, "num_attention_heads": 4, "vocab_size": 10, "rope_scaling": {"type": "yarn", "factor": 4}}""", "'yarn' is not supported")]
    [InlineData("""{"model_type": "qwen2", "intermediate_size": 8, "num_hidden_layers": 1, "num_attention_heads": 4, "vocab_size": 10}""", "'hidden_size' is missing")]
    public void BadConfigsGiveClearErrors(string json, string expected)
    {
        var e = Assert.ThrowsAny<Exception>(() => QwenVLConfig.Parse(json, "bad.json"));
        Assert.Contains(expected, e.Message);
        Assert.Contains("bad.json", e.Message);
    }
}
