using VisionGrpo.Models;
using VisionGrpo.Generation;
using VisionGrpo.Tests.Models;
using Xunit;
using static TorchSharp.torch;

namespace VisionGrpo.Tests.Generation;

/// <summary>Seeded sampling and G-way prefill sharing.</summary>
public sealed class SamplingTests
{
    [Fact]
    public void SameSeedGivesSameTokensAndOtherSeedsDiffer()
    {
        using var scope = NewDisposeScope();
        using var model = TinyFixture.Model();
        var c = TinyFixture.LoadCase("case_c");
        var engine = new GenerationEngine(model);
        var prompt = TinyFixture.Inputs(c, fixtureImageEmbeds: false);
        var a = EngineFixture.Ids(engine.Generate(prompt, EngineFixture.Sampling(16, seed: 42)));
        var b = EngineFixture.Ids(engine.Generate(prompt, EngineFixture.Sampling(16, seed: 42)));
        var other = EngineFixture.Ids(engine.Generate(prompt, EngineFixture.Sampling(16, seed: 43)));
        Assert.Equal(a, b);
        Assert.NotEqual(a, other);
        // Sampling at temperature 1 over a random model must leave the greedy path somewhere.
        var greedy = EngineFixture.Ids(engine.Generate(prompt, EngineFixture.Greedy(16)));
        Assert.NotEqual(greedy, a);
    }

    [Fact]
    public void A_request_split_into_parts_samples_the_tokens_of_the_whole_request()
    {
        // What N training processes do: each generates its slice of the round (a group may be cut in two), with the
        // global index of its first sequence; together they must sample what one process sampling everything does.
        using var scope = NewDisposeScope();
        using var model = TinyFixture.Model();
        var c = TinyFixture.LoadCase("case_c");
        var engine = new GenerationEngine(model);
        var options = EngineFixture.Sampling(12, seed: 11);
        var whole = engine.Generate(new QwenVLInputs
        {
            InputIds = cat([EngineFixture.TextRow(c, 0).InputIds, EngineFixture.TextRow(c, 0).InputIds], 0),
            AttentionMask = ones(2, EngineFixture.TextRow(c, 0).InputIds.shape[1], dtype: ScalarType.Int64),
        }, options, numGenerations: 4);
        var rank0 = engine.Generate(EngineFixture.TextRow(c, 0), options with { FirstSequenceIndex = 0 }, numGenerations: 3);
        var rank1a = engine.Generate(EngineFixture.TextRow(c, 0), options with { FirstSequenceIndex = 3 }, numGenerations: 1);
        var rank1b = engine.Generate(EngineFixture.TextRow(c, 0), options with { FirstSequenceIndex = 4 }, numGenerations: 4);
        Assert.Equal(EngineFixture.Ids(whole), [.. EngineFixture.Ids(rank0), .. EngineFixture.Ids(rank1a), .. EngineFixture.Ids(rank1b)]);
        // The two prompts are the same text, but their sequences draw from different streams.
        Assert.NotEqual(EngineFixture.Ids(whole).Take(4), EngineFixture.Ids(whole).Skip(4));
    }

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public void Parts_of_groups_sampled_with_one_shared_prefill_each_are_the_whole_grids_samples(bool loraDropout)
    {
        // A rank holding completions [3, 10) of 3 prompts x 4: the last sample of prompt 0, all of prompt 1, the first
        // two of prompt 2 — one call, one prefill per prompt; the other ranks' calls cover the rest. With LoRA dropout
        // (model in train mode, as in rollouts) a prompt's prefill must draw the masks of its sample 0 on every rank.
        using var scope = NewDisposeScope();
        using var model = TinyFixture.Model();
        using var peft = loraDropout ? VisionGrpo.Lora.PeftModel.Wrap(model, new VisionGrpo.Lora.LoraConfig
        {
            R = 4, LoraAlpha = 8, LoraDropout = 0.5, InitLoraWeights = "false",
            TargetModules = VisionGrpo.Lora.LoraTargetModules.FromNames(["q_proj", "v_proj"]),
        }) : null;
        if (loraDropout) model.train();
        var c = TinyFixture.LoadCase("case_c");
        var engine = new GenerationEngine(model);
        var options = EngineFixture.Sampling(12, seed: 5);
        var row = EngineFixture.TextRow(c, 0);
        QwenVLInputs Prompts(int n) => new()
        {
            InputIds = row.InputIds.repeat(n, 1),
            AttentionMask = ones(n, row.InputIds.shape[1], dtype: ScalarType.Int64),
        };
        var whole = engine.Generate(Prompts(3), options, numGenerations: 4);
        var first = engine.Generate(Prompts(1), options with { FirstSequenceIndex = 0 }, numGenerations: 4, sampleCount: 3);
        var middle = engine.Generate(Prompts(3), options with { FirstSequenceIndex = 3 }, numGenerations: 4, firstSample: 3, sampleCount: 7);
        var last = engine.Generate(Prompts(1), options with { FirstSequenceIndex = 10 }, numGenerations: 4, firstSample: 2);
        Assert.Equal(EngineFixture.Ids(whole), [.. EngineFixture.Ids(first), .. EngineFixture.Ids(middle), .. EngineFixture.Ids(last)]);
        Assert.Equal([0, 1, 1, 1, 1, 2, 2], middle.Sequences.Select(s => s.PromptIndex));
        Assert.Equal([3, 0, 1, 2, 3, 0, 1], middle.Sequences.Select(s => s.SampleIndex));
        Assert.Equal([2, 3], last.Sequences.Select(s => s.SampleIndex));
        // A slice that leaves a prompt without samples, or starts outside a group, is refused.
        Assert.Throws<ArgumentOutOfRangeException>(() => engine.Generate(Prompts(3), options, numGenerations: 4, firstSample: 3, sampleCount: 2));
        Assert.Throws<ArgumentOutOfRangeException>(() => engine.Generate(Prompts(1), options, numGenerations: 4, firstSample: 4));
    }

    [Fact]
    public void A_prompts_samples_with_lora_dropout_in_the_vision_tower_do_not_depend_on_the_other_prompts_images()
    {
        // The engine runs the vision tower once per request; with LoRA on it and dropout on, a prompt's images draw
        // their masks from its prefill key, so prompt 1 sampled alone (a rank holding its samples) gets what the
        // two-prompt request gives it.
        using var scope = NewDisposeScope();
        using var model = TinyFixture.Model();
        manual_seed(7);
        using var peft = VisionGrpo.Lora.PeftModel.Wrap(model, new VisionGrpo.Lora.LoraConfig
        {
            R = 4, LoraAlpha = 8, LoraDropout = 0.5, InitLoraWeights = "false",
            TargetModules = VisionGrpo.Lora.LoraTargetModules.FromNames(["qkv", "attn.proj", "mlp.0", "mlp.2"]),
        });
        model.train();
        var c = TinyFixture.LoadCase("case_b");
        var both = TinyFixture.Inputs(c, fixtureImageEmbeds: false);
        var grid = c["image_grid_thw"].to(ScalarType.Int64);
        long first = grid[0].prod().item<long>();
        var second = new QwenVLInputs
        {
            InputIds = both.InputIds.narrow(0, 1, 1), AttentionMask = both.AttentionMask!.narrow(0, 1, 1),
            PixelValues = both.PixelValues!.narrow(0, first, both.PixelValues.shape[0] - first), ImageGridThw = grid.narrow(0, 1, 1),
        };
        var engine = new GenerationEngine(model);
        var options = EngineFixture.Sampling(8, seed: 3);
        manual_seed(1);
        var whole = EngineFixture.Ids(engine.Generate(both, options, numGenerations: 2));
        manual_seed(1);
        var alone = EngineFixture.Ids(engine.Generate(second, options with { FirstSequenceIndex = 2 }, numGenerations: 2));
        Assert.Equal(whole.Skip(2), alone);
    }

    [Fact]
    public void Counter_random_values_are_uniform_and_depend_on_every_key_part_in_order()
    {
        var values = Enumerable.Range(0, 100_000).Select(i => CounterRandom.Uniform(CounterRandom.Key(42, 7, i))).ToArray();
        Assert.All(values, v => Assert.InRange(v, 0.0, 1.0 - 1e-17));
        Assert.InRange(values.Average(), 0.497, 0.503);
        Assert.InRange(values.Count(v => v < 0.1), 9_700, 10_300);
        Assert.Equal(values.Length, values.Distinct().Count());
        Assert.NotEqual(CounterRandom.Key(42, 1, 2), CounterRandom.Key(42, 2, 1));
        Assert.NotEqual(CounterRandom.Key(42, 1), CounterRandom.Key(43, 1));
        Assert.Equal(CounterRandom.Key(42, 1, 2), CounterRandom.Combine(CounterRandom.Key(42, 1), 2));
    }

    [Fact]
    public void TokenLogProbsEqualAFullForwardOverPromptAndCompletion()
    {
        using var scope = NewDisposeScope();
        using var model = TinyFixture.Model();
        var c = TinyFixture.LoadCase("case_c");
        var prompt = EngineFixture.TextRow(c, 0);
        var options = new GenerationOptions
        {
            MaxNewTokens = 6, DoSample = true, Temperature = 0.7, TopK = 0, Seed = 5,
            EosTokenIds = [EngineFixture.ImEnd], PadTokenId = EngineFixture.Pad, ReturnLogProbs = true,
        }.Resolve(null);
        var seq = new GenerationEngine(model).Generate(prompt, options).Sequences[0];
        Assert.Equal(seq.CompletionIds.Length, seq.TokenLogProbs!.Length);

        // Score prompt + completion in one pass: position L-1+t predicts completion token t.
        var completion = tensor(seq.CompletionIds.Select(i => (long)i).ToArray()).unsqueeze(0);
        var full = cat([prompt.InputIds, completion], 1);
        var logits = model.forward(new QwenVLInputs { InputIds = full, AttentionMask = ones_like(full) }).Logits[0];
        long l = prompt.InputIds.shape[1];
        for (int t = 0; t < seq.CompletionIds.Length; t++)
        {
            double expected = nn.functional.log_softmax(logits[l - 1 + t] / 0.7, 0)[seq.CompletionIds[t]].item<float>();
            Assert.InRange(Math.Abs(expected - seq.TokenLogProbs[t]), 0, 1e-4);
        }
        Assert.Null(new GenerationEngine(model).Generate(prompt, EngineFixture.Greedy(2)).Sequences[0].TokenLogProbs);
    }

    [Theory]
    [InlineData("case_a", 4)]
    [InlineData("case_b", 3)]
    [InlineData("case_c", 2)]
    public void SharedPrefillEqualsRepeatedPrompts(string name, int g)
    {
        using var scope = NewDisposeScope();
        using var model = TinyFixture.Model();
        var c = TinyFixture.LoadCase(name);
        var engine = new GenerationEngine(model);
        var options = EngineFixture.Sampling(10, seed: 7);
        var shared = engine.Generate(TinyFixture.Inputs(c, fixtureImageEmbeds: false), options, numGenerations: g);

        // The same request with every prompt row (and its image) written out G times, prefilled separately.
        var prompt = TinyFixture.Inputs(c, fixtureImageEmbeds: true);
        var rows = arange(prompt.InputIds.shape[0]).repeat_interleave(g);
        var repeated = new VisionGrpo.Models.QwenVLInputs
        {
            InputIds = prompt.InputIds.index_select(0, rows),
            AttentionMask = prompt.AttentionMask!.index_select(0, rows),
            ImageGridThw = prompt.ImageGridThw?.repeat_interleave(g, dim: 0),
            ImageEmbeds = prompt.ImageEmbeds is null ? null : RepeatPerImage(prompt.ImageEmbeds, prompt.ImageGridThw!, g),
        };
        var separate = engine.Generate(repeated, options);

        Assert.Equal(EngineFixture.Ids(separate), EngineFixture.Ids(shared));
        Assert.Equal(Enumerable.Range(0, shared.Sequences.Count).Select(i => i % g), shared.Sequences.Select(s => s.SampleIndex));
        // The G samples of a prompt are not copies of each other.
        Assert.True(shared.Sequences.Chunk(g).All(group => group.Select(s => string.Join(",", s.CompletionIds)).Distinct().Count() > 1));
    }

    static Tensor RepeatPerImage(Tensor embeds, Tensor grid, int g)
    {
        var counts = TinyFixture.Longs(grid).Chunk(3).Select(t => t[0] * t[1] * t[2] / 4).ToArray();
        var parts = new List<Tensor>();
        long offset = 0;
        foreach (var n in counts)
        {
            for (int k = 0; k < g; k++) parts.Add(embeds.narrow(0, offset, n));
            offset += n;
        }
        return cat(parts, 0);
    }
}
