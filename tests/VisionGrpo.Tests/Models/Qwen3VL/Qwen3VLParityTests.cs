using VisionGrpo.Models.Qwen2;
using VisionGrpo.Models;
using VisionGrpo.Models.Qwen2_5_VL;
using VisionGrpo.Models.Qwen3_VL;
using static TorchSharp.torch;
using Fx = VisionGrpo.Tests.Models.TinyFixture;

namespace VisionGrpo.Tests.Models.Qwen3VL;

/// <summary>fp32 parity of the Qwen3-VL port with transformers' outputs stored in the qwen3_vl_tiny fixture.</summary>
public class Qwen3VLParityTests
{
    const double Tolerance = 1e-4;

    [Theory]
    [InlineData("case_a")]
    [InlineData("case_b")]
    [InlineData("case_c")]
    public void VisionTowerStagesAndDeepstackFeaturesMatch(string name)
    {
        using var scope = NewDisposeScope();
        var c = Fx.LoadCase(name, Fx.Qwen3VL);
        using var model = Fx.Model(fixture: Fx.Qwen3VL);
        using var noGrad = no_grad();
        var trace = new Qwen3VLVisionTrace();
        var output = ((Qwen3VLVisionModel)model.visual!).Encode(c["pixel_values"], c["image_grid_thw"], trace);
        Assert.InRange(Fx.MaxDiff(trace.PatchEmbed!, c["vision.patch_embed"]), 0, 1e-5);
        Assert.InRange(Fx.MaxDiff(trace.PosEmbeds!, c["vision.pos_embeds"]), 0, 1e-6);
        Assert.InRange(Fx.MaxDiff(trace.RotaryFreqs!, c["vision.rotary_freqs"]), 0, 0);
        var blocks = c["vision.block_outputs"];
        Assert.Equal(blocks.shape[0], trace.BlockOutputs.Count);
        for (int i = 0; i < trace.BlockOutputs.Count; i++)
            Assert.InRange(Fx.MaxDiff(trace.BlockOutputs[i], blocks[i]), 0, Tolerance);
        var deepstack = c["vision.deepstack_features"];
        Assert.Equal(deepstack.shape[0], output.Deepstack.Count);
        for (int k = 0; k < output.Deepstack.Count; k++)
            Assert.InRange(Fx.MaxDiff(output.Deepstack[k], deepstack[k]), 0, Tolerance);
        Assert.InRange(Fx.MaxDiff(output.Embeds, c["vision.merger_output"]), 0, Tolerance);
        Assert.InRange(Fx.MaxDiff(output.Embeds, c["image_embeds"]), 0, Tolerance);
    }

    [Theory]
    [InlineData("case_a", AttentionImplementation.Sdpa)]
    [InlineData("case_b", AttentionImplementation.Sdpa)]
    [InlineData("case_c", AttentionImplementation.Sdpa)]
    [InlineData("case_b", AttentionImplementation.Eager)]
    public void ForwardFromPixelsMatchesPositionsLayersAndLogits(string name, AttentionImplementation kernel)
    {
        using var scope = NewDisposeScope();
        var c = Fx.LoadCase(name, Fx.Qwen3VL);
        using var model = Fx.Model(fixture: Fx.Qwen3VL);
        model.model.Attention = kernel;
        using var noGrad = no_grad();
        var inputs = Fx.Inputs(c, fixtureImageEmbeds: false);
        var output = model.forward(new QwenVLInputs
        {
            InputIds = inputs.InputIds, AttentionMask = inputs.AttentionMask, PixelValues = inputs.PixelValues,
            ImageGridThw = inputs.ImageGridThw, OutputHiddenStates = true,
        });
        var mask = c["attention_mask"];
        Assert.Equal(Fx.Longs(c["position_ids"]), Fx.Longs(output.PositionIds));
        Assert.Equal(Fx.Longs(c["rope_deltas"]), Fx.Longs(output.RopeDeltas));
        Assert.InRange(Fx.MaxDiffValid(output.HiddenStates![0], c["inputs_embeds"], mask), 0, Tolerance);
        var layers = c["decoder_layer_outputs"];
        for (int i = 0; i < layers.shape[0]; i++)
            Assert.InRange(Fx.MaxDiffValid(output.HiddenStates[i + 1], layers[i], mask), 0, Tolerance);
        Assert.InRange(Fx.MaxDiffValid(output.LastHiddenState, c["final_norm_output"], mask), 0, Tolerance);
        Assert.InRange(Fx.MaxDiffValid(output.Logits, c["logits"], mask), 0, Tolerance);
    }

    [Theory]
    [InlineData("case_a")]
    [InlineData("case_b")]
    [InlineData("case_c")]
    public void GreedyTokensAreIdenticalAndCachedStepLogitsMatch(string name)
    {
        using var scope = NewDisposeScope();
        var c = Fx.LoadCase(name, Fx.Qwen3VL);
        using var model = Fx.Model(fixture: Fx.Qwen3VL);
        var (eos, pad) = ModelFolder.GenerationTokenIds(Fx.DirOf(Fx.Qwen3VL), model.Config);
        Assert.Equal([482], eos);
        Assert.Equal(480, pad);
        var result = GreedyDecoder.Generate(model, Fx.Inputs(c, fixtureImageEmbeds: false), 12, eos, pad);
        Assert.Equal(Fx.Longs(c["generated_ids"]), Fx.Longs(result.GeneratedIds));
        Assert.InRange(Fx.MaxDiff(result.StepLogits, c["generated_step_logits"]), 0, Tolerance);
    }

    [Theory]
    [InlineData("case_a")]
    [InlineData("case_b")]
    public void DecodePositionsAreCachePositionPlusRopeDeltas(string name)
    {
        using var scope = NewDisposeScope();
        var c = Fx.LoadCase(name, Fx.Qwen3VL);
        using var model = Fx.Model(fixture: Fx.Qwen3VL);
        using var noGrad = no_grad();
        var ids = c["input_ids"];
        var generated = c["generated_ids"];
        int steps = (int)generated.shape[1] - 1;
        using var cache = VisionGrpo.Models.KvCache.For(model.Config.Text, (int)ids.shape[0], (int)ids.shape[1] + steps + 1, ScalarType.Float32);
        var prompt = Fx.Inputs(c, fixtureImageEmbeds: false);
        model.forward(new QwenVLInputs { InputIds = ids, AttentionMask = prompt.AttentionMask, PixelValues = prompt.PixelValues, ImageGridThw = prompt.ImageGridThw, Cache = cache });
        var expected = c["generated_decode_position_ids"]; // [steps, 3, B]
        for (int i = 0; i < steps; i++)
        {
            var output = model.forward(new QwenVLInputs { InputIds = generated.narrow(1, i, 1), Cache = cache });
            // output.PositionIds is [3, B, 1]; the fixture stores [3, B] per step.
            Assert.Equal(Fx.Longs(expected[i]), Fx.Longs(output.PositionIds.squeeze(-1)));
        }
    }
}
