using TorchSharp;
using VisionGrpo.Generation;
using VisionGrpo.Models;
using VisionGrpo.Tests.Models;
using Xunit;
using static TorchSharp.torch;

namespace VisionGrpo.Tests.Generation;

/// <summary>Greedy decoding against transformers' own <c>generate</c> output and batch/row invariances.</summary>
public sealed class GreedyParityTests
{
    [Theory]
    [InlineData("case_a")]
    [InlineData("case_b")]
    [InlineData("case_c")]
    public void GreedyMatchesTransformersGenerate(string name)
    {
        using var scope = NewDisposeScope();
        using var model = TinyFixture.Model();
        var c = TinyFixture.LoadCase(name);
        var output = new GenerationEngine(model).Generate(TinyFixture.Inputs(c, fixtureImageEmbeds: false), EngineFixture.Greedy(12));
        for (int row = 0; row < output.Sequences.Count; row++)
        {
            Assert.Equal(EngineFixture.GoldenRow(c, row), output.Sequences[row].CompletionIds);
            Assert.Equal(FinishReason.Length, output.Sequences[row].FinishReason);
            Assert.Equal(12, output.Sequences[row].GeneratedTokens);
        }
    }

    [Fact]
    public void BatchedRowsMatchEachRowAlone()
    {
        using var scope = NewDisposeScope();
        using var model = TinyFixture.Model();
        var c = TinyFixture.LoadCase("case_c");
        var engine = new GenerationEngine(model);
        var batch = engine.Generate(TinyFixture.Inputs(c, fixtureImageEmbeds: false), EngineFixture.Greedy(10));
        for (int row = 0; row < 2; row++)
        {
            var alone = engine.Generate(EngineFixture.TextRow(c, row), EngineFixture.Greedy(10));
            Assert.Equal(alone.Sequences[0].CompletionIds, batch.Sequences[row].CompletionIds);
        }
    }

    [Fact]
    public void SplittingTheBatchKeepsEachRowsImageAndTokens()
    {
        using var scope = NewDisposeScope();
        using var model = TinyFixture.Model();
        var c = TinyFixture.LoadCase("case_b");
        var options = EngineFixture.Greedy(12) with { GenerationBatchSize = 1 };
        var split = new GenerationEngine(model).Generate(TinyFixture.Inputs(c, fixtureImageEmbeds: false), options);
        Assert.Equal(2, split.Sequences.Count);
        for (int row = 0; row < 2; row++) Assert.Equal(EngineFixture.GoldenRow(c, row), split.Sequences[row].CompletionIds);
    }

    [Fact]
    public void StopsAtEosPerRowAndKeepsTheEosToken()
    {
        using var scope = NewDisposeScope();
        using var model = TinyFixture.Model();
        var c = TinyFixture.LoadCase("case_b");
        var golden0 = EngineFixture.GoldenRow(c, 0);
        var golden1 = EngineFixture.GoldenRow(c, 1);
        // Pick a golden token of row 0 that is new at its position, so row 0 must stop right after it.
        int stop = Enumerable.Range(2, 8).First(i => Array.IndexOf(golden0, golden0[i]) == i && Array.IndexOf(golden1, golden0[i]) < 0);
        var output = new GenerationEngine(model).Generate(TinyFixture.Inputs(c, fixtureImageEmbeds: false), EngineFixture.Greedy(12, golden0[stop]));
        Assert.Equal(golden0[..(stop + 1)], output.Sequences[0].CompletionIds);
        Assert.Equal(FinishReason.Eos, output.Sequences[0].FinishReason);
        // The other row keeps decoding (with a smaller batch) and still matches transformers.
        Assert.Equal(golden1, output.Sequences[1].CompletionIds);
        Assert.Equal(FinishReason.Length, output.Sequences[1].FinishReason);
    }

    [Fact]
    public void VisionTokensAreNeverProducedEvenWhenTheyWouldWin()
    {
        using var scope = NewDisposeScope();
        using var model = TinyFixture.Model();
        var c = TinyFixture.LoadCase("case_c");
        var engine = new GenerationEngine(model);
        Assert.Equal(new[] { 1009, 1010, 1011, 1012, 1013 }, engine.SuppressedTokenIds);
        // Make <|image_pad|> / <|vision_start|> beat each row's first greedy token by a wide margin.
        int first0 = EngineFixture.GoldenRow(c, 0)[0], first1 = EngineFixture.GoldenRow(c, 1)[0];
        using (no_grad())
        {
            model.OutputWeight[1012].copy_(model.OutputWeight[first0] * 10);
            model.OutputWeight[1009].copy_(model.OutputWeight[first1] * 10);
        }
        var plain = TinyFixture.Inputs(c, fixtureImageEmbeds: false);
        var raw = model.forward(new QwenVLInputs { InputIds = plain.InputIds, AttentionMask = plain.AttentionMask });
        Assert.Equal(new long[] { 1012, 1009 }, TinyFixture.Longs(raw.Logits.select(1, -1).argmax(-1)));
        var greedy = engine.Generate(TinyFixture.Inputs(c, fixtureImageEmbeds: false), EngineFixture.Greedy(8));
        var sampled = engine.Generate(TinyFixture.Inputs(c, fixtureImageEmbeds: false), EngineFixture.Sampling(8, seed: 3, temperature: 5), numGenerations: 4);
        foreach (var s in greedy.Sequences.Concat(sampled.Sequences))
            Assert.DoesNotContain(s.CompletionIds, id => id is >= 1009 and <= 1013);
    }
}
