using TorchSharp;
using VisionGrpo.Models;
using VisionGrpo.Models.Qwen2;
using VisionGrpo.Models.Qwen2_5_VL;
using static TorchSharp.torch;

namespace VisionGrpo.Tests.Models;

/// <summary>fp32 parity with transformers' outputs stored in the tiny fixture.</summary>
public class ParityTests
{
    const double Tolerance = 1e-4;

    [Theory]
    [InlineData(TinyFixture.Qwen2_5VL, "case_a", AttentionImplementation.Sdpa)]
    [InlineData(TinyFixture.Qwen2_5VL, "case_b", AttentionImplementation.Sdpa)]
    [InlineData(TinyFixture.Qwen2_5VL, "case_c", AttentionImplementation.Sdpa)]
    [InlineData(TinyFixture.Qwen2_5VL, "case_b", AttentionImplementation.Eager)]
    [InlineData(TinyFixture.Qwen2_5VL, "case_c", AttentionImplementation.Eager)]
    [InlineData(TinyFixture.Qwen2VL, "case_a", AttentionImplementation.Sdpa)]
    [InlineData(TinyFixture.Qwen2VL, "case_b", AttentionImplementation.Sdpa)]
    [InlineData(TinyFixture.Qwen2VL, "case_c", AttentionImplementation.Eager)]
    public void DecoderLogitsMatchWithTransformersImageEmbeddings(string fixture, string name, AttentionImplementation kernel)
    {
        using var scope = NewDisposeScope();
        var c = TinyFixture.LoadCase(name, fixture);
        using var model = TinyFixture.Model(fixture: fixture);
        model.model.Attention = kernel;
        using var noGrad = no_grad();
        var output = model.forward(new QwenVLInputs
        {
            InputIds = c["input_ids"], AttentionMask = c["attention_mask"], ImageGridThw = c.GetValueOrDefault("image_grid_thw"),
            ImageEmbeds = c.GetValueOrDefault("image_embeds"), OutputHiddenStates = true,
        });
        var mask = c["attention_mask"];
        Assert.Equal(TinyFixture.Longs(c["position_ids"]), TinyFixture.Longs(output.PositionIds));
        Assert.Equal(TinyFixture.Longs(c["rope_deltas"]), TinyFixture.Longs(output.RopeDeltas));
        Assert.True(TinyFixture.MaxDiffValid(output.HiddenStates![0], c["inputs_embeds"], mask) == 0, "inputs_embeds differ");
        var layers = c["decoder_layer_outputs"];
        for (int i = 0; i < layers.shape[0]; i++)
            Assert.InRange(TinyFixture.MaxDiffValid(output.HiddenStates[i + 1], layers[i], mask), 0, Tolerance);
        Assert.InRange(TinyFixture.MaxDiffValid(output.LastHiddenState, c["final_norm_output"], mask), 0, Tolerance);
        Assert.InRange(TinyFixture.MaxDiffValid(output.Logits, c["logits"], mask), 0, Tolerance);
    }

    [Theory]
    [InlineData(TinyFixture.Qwen2_5VL, "case_a")]
    [InlineData(TinyFixture.Qwen2_5VL, "case_b")]
    [InlineData(TinyFixture.Qwen2_5VL, "case_c")]
    [InlineData(TinyFixture.Qwen2VL, "case_a")]
    [InlineData(TinyFixture.Qwen2VL, "case_b")]
    [InlineData(TinyFixture.Qwen2VL, "case_c")]
    public void GreedyContinuationIsIdenticalAndCachedStepsMatch(string fixture, string name)
    {
        using var scope = NewDisposeScope();
        var c = TinyFixture.LoadCase(name, fixture);
        using var model = TinyFixture.Model(fixture: fixture);
        var result = GreedyDecoder.Generate(model, TinyFixture.Inputs(c, fixtureImageEmbeds: true), 12, [1002], 1000);
        Assert.Equal(TinyFixture.Longs(c["generated_ids"]), TinyFixture.Longs(result.GeneratedIds));
        Assert.InRange(TinyFixture.MaxDiff(result.StepLogits, c["generated_step_logits"]), 0, Tolerance);
    }

    [Fact]
    public void KvCacheDecodeEqualsFullForward()
    {
        using var scope = NewDisposeScope();
        var c = TinyFixture.LoadCase("case_b");
        using var model = TinyFixture.Model();
        using var noGrad = no_grad();
        var prompt = TinyFixture.Inputs(c, fixtureImageEmbeds: true);
        var generated = GreedyDecoder.Generate(model, prompt, 6, [], 1000).GeneratedIds;
        // One forward over prompt + generated tokens without a cache.
        var ids = cat([c["input_ids"], generated], 1);
        var mask = cat([c["attention_mask"], ones_like(generated)], 1);
        var full = model.forward(new QwenVLInputs { InputIds = ids, AttentionMask = mask, ImageGridThw = c["image_grid_thw"], ImageEmbeds = c["image_embeds"] });
        // Cached: prefill then feed the generated tokens one by one.
        using var cache = VisionGrpo.Models.KvCache.For(model.Config.Text, 2, (int)ids.shape[1], ScalarType.Float32);
        var steps = new List<Tensor>();
        var pre = model.forward(new QwenVLInputs { InputIds = c["input_ids"], AttentionMask = c["attention_mask"], ImageGridThw = c["image_grid_thw"], ImageEmbeds = c["image_embeds"], Cache = cache });
        steps.Add(pre.Logits);
        for (int i = 0; i < generated.shape[1]; i++)
            steps.Add(model.forward(new QwenVLInputs { InputIds = generated.narrow(1, i, 1), Cache = cache }).Logits);
        var cached = cat(steps, 1);
        Assert.InRange(TinyFixture.MaxDiffValid(cached, full.Logits, mask), 0, 1e-5);
        Assert.Equal(TinyFixture.Longs(c["attention_mask"].sum(1)).Select(n => n + 6), TinyFixture.Longs(cache.RowLengths()));
    }

    [Fact]
    public void LeftPaddedRowEqualsTheRowAlone()
    {
        using var scope = NewDisposeScope();
        var c = TinyFixture.LoadCase("case_b");
        using var model = TinyFixture.Model();
        using var noGrad = no_grad();
        var batch = GreedyDecoder.Generate(model, TinyFixture.Inputs(c, fixtureImageEmbeds: true), 8, [], 1000, promptLogits: true);
        long pads = 31, imageTokens0 = 12;
        var ids0 = c["input_ids"].narrow(0, 0, 1).narrow(1, pads, 65 - pads);
        var alone = GreedyDecoder.Generate(model, new QwenVLInputs
        {
            InputIds = ids0, AttentionMask = ones_like(ids0), ImageGridThw = c["image_grid_thw"].narrow(0, 0, 1),
            ImageEmbeds = c["image_embeds"].narrow(0, 0, imageTokens0),
        }, 8, [], 1000, promptLogits: true);
        Assert.InRange(TinyFixture.MaxDiff(batch.Prefill.Logits[0].narrow(0, pads, 65 - pads), alone.Prefill.Logits[0]), 0, 1e-5);
        Assert.InRange(TinyFixture.MaxDiff(batch.StepLogits[0], alone.StepLogits[0]), 0, 1e-5);
        Assert.Equal(TinyFixture.Longs(batch.GeneratedIds[0]), TinyFixture.Longs(alone.GeneratedIds[0]));
    }

    [Fact]
    public void LogitsToKeepSelectsPositions()
    {
        using var scope = NewDisposeScope();
        var c = TinyFixture.LoadCase("case_c");
        using var model = TinyFixture.Model();
        using var noGrad = no_grad();
        var last3 = model.forward(new QwenVLInputs { InputIds = c["input_ids"], AttentionMask = c["attention_mask"], LogitsToKeep = LogitsToKeep.LastN(3) });
        Assert.Equal(new long[] { 2, 3, 1024 }, last3.Logits.shape);
        Assert.InRange(TinyFixture.MaxDiff(last3.Logits, c["logits"].narrow(1, 26, 3)), 0, Tolerance);
        var picked = model.forward(new QwenVLInputs { InputIds = c["input_ids"], AttentionMask = c["attention_mask"], LogitsToKeep = LogitsToKeep.At(tensor(new long[] { 10, 20 })) });
        Assert.InRange(TinyFixture.MaxDiff(picked.Logits, c["logits"].index_select(1, tensor(new long[] { 10, 20 }))), 0, Tolerance);
    }
}
