using TorchSharp;
using static TorchSharp.torch;

namespace VisionGrpo.Tests.Models;

/// <summary>The full image path: pixel values through the vision tower, merged into the decoder.</summary>
public class VisionPathTests
{
    const double Tolerance = 1e-4;

    [Theory]
    [InlineData(TinyFixture.Qwen2_5VL, "case_a")]
    [InlineData(TinyFixture.Qwen2_5VL, "case_b")]
    [InlineData(TinyFixture.Qwen2VL, "case_a")]
    [InlineData(TinyFixture.Qwen2VL, "case_b")]
    [InlineData(TinyFixture.Qwen2VL, "case_c")]
    public void ImageEmbeddingsAndLogitsMatchTransformers(string fixture, string name)
    {
        using var scope = NewDisposeScope();
        var c = TinyFixture.LoadCase(name, fixture);
        using var model = TinyFixture.Model(fixture: fixture);
        using var noGrad = no_grad();
        var output = model.forward(TinyFixture.Inputs(c, fixtureImageEmbeds: false));
        Assert.InRange(TinyFixture.MaxDiff(output.ImageEmbeds!, c["image_embeds"]), 0, Tolerance);
        Assert.InRange(TinyFixture.MaxDiffValid(output.Logits, c["logits"], c["attention_mask"]), 0, Tolerance);
    }

    [Theory]
    [InlineData(TinyFixture.Qwen2_5VL)]
    [InlineData(TinyFixture.Qwen2VL)]
    public void GreedyWithPixelValuesIsIdentical(string fixture)
    {
        using var scope = NewDisposeScope();
        var c = TinyFixture.LoadCase("case_b", fixture);
        using var model = TinyFixture.Model(fixture: fixture);
        var result = VisionGrpo.Models.Qwen2_5_VL.GreedyDecoder.Generate(model, TinyFixture.Inputs(c, fixtureImageEmbeds: false), 12, [1002], 1000);
        Assert.Equal(TinyFixture.Longs(c["generated_ids"]), TinyFixture.Longs(result.GeneratedIds));
    }

    [Fact]
    public void ImageTokenCountMismatchIsReported()
    {
        using var scope = NewDisposeScope();
        var c = TinyFixture.LoadCase("case_a");
        using var model = TinyFixture.Model();
        using var noGrad = no_grad();
        var e = Assert.Throws<ArgumentException>(() => model.forward(new VisionGrpo.Models.QwenVLInputs
        {
            InputIds = c["input_ids"], AttentionMask = c["attention_mask"], ImageGridThw = c["image_grid_thw"],
            ImageEmbeds = c["image_embeds"].narrow(0, 0, 10),
        }));
        Assert.Contains("16 <|image_pad|>", e.Message);
    }
}
