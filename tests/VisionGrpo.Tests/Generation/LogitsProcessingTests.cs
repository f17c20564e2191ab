using VisionGrpo.Generation;
using VisionGrpo.Tensors;
using Xunit;
using static TorchSharp.torch;

namespace VisionGrpo.Tests.Generation;

/// <summary>Each processor against hand-computed transformers results.</summary>
public sealed class LogitsProcessingTests
{
    static Tensor Row(params float[] values)
    {
        TorchRuntime.EnsureInitialized();
        return tensor(values).unsqueeze(0);
    }

    static float[] Values(Tensor t) => t.squeeze(0).data<float>().ToArray();

    static ResolvedGeneration Options(double penalty = 1, double temperature = 1, int topK = 0, double topP = 1, double minP = 0, bool sample = true) =>
        new GenerationOptions { DoSample = sample, RepetitionPenalty = penalty, Temperature = temperature, TopK = topK, TopP = topP, MinP = minP, EosTokenIds = [0] }.Resolve(null);

    [Fact]
    public void RepetitionPenaltyDividesPositiveAndMultipliesNegativeSeenLogits()
    {
        using var scope = NewDisposeScope();
        var seen = tensor(new[] { true, true, false }).unsqueeze(0);
        var result = LogitsProcessing.Apply(Row(2f, -2f, 3f), seen, null, Options(penalty: 2, sample: false));
        Assert.Equal(new[] { 1f, -4f, 3f }, Values(result));
    }

    [Fact]
    public void TemperatureThenTopKThenTopPThenMinP()
    {
        using var scope = NewDisposeScope();
        var ninf = float.NegativeInfinity;
        Assert.Equal(new[] { 1f, 2f, 0.5f }, Values(LogitsProcessing.Apply(Row(2f, 4f, 1f), null, null, Options(temperature: 2))));
        Assert.Equal(new[] { ninf, 4f, 3f, ninf }, Values(LogitsProcessing.Apply(Row(1f, 4f, 3f, 2f), null, null, Options(topK: 2))));
        // probs of [ln 5, ln 3, ln 2] = [0.5, 0.3, 0.2]: top_p 0.7 keeps 0.5 and 0.3 (the 0.2 tail has mass ≤ 0.3).
        var p = Values(LogitsProcessing.Apply(Row(MathF.Log(5), MathF.Log(3), MathF.Log(2)), null, null, Options(topP: 0.7)));
        Assert.True(float.IsFinite(p[0]) && float.IsFinite(p[1]) && float.IsNegativeInfinity(p[2]));
        // min_p 0.5 of the best (0.5) drops everything below 0.25.
        var m = Values(LogitsProcessing.Apply(Row(MathF.Log(5), MathF.Log(3), MathF.Log(2)), null, null, Options(minP: 0.5)));
        Assert.True(float.IsFinite(m[0]) && float.IsFinite(m[1]) && float.IsNegativeInfinity(m[2]));
    }

    [Fact]
    public void TopPAlwaysKeepsTheBestTokenAndGreedyIgnoresWarpers()
    {
        using var scope = NewDisposeScope();
        var kept = Values(LogitsProcessing.Apply(Row(1f, 5f, 2f), null, null, Options(topP: 1e-6)));
        Assert.Equal(1, kept.Count(float.IsFinite));
        Assert.True(float.IsFinite(kept[1]));
        Assert.Equal(new[] { 1f, 5f, 2f }, Values(LogitsProcessing.Apply(Row(1f, 5f, 2f), null, null, Options(temperature: 0.1, topK: 1, sample: false))));
    }

    [Fact]
    public void SuppressedIdsBecomeMinusInfinity()
    {
        using var scope = NewDisposeScope();
        var suppress = tensor(new[] { false, true, false });
        var result = Values(LogitsProcessing.Apply(Row(1f, 9f, 2f), null, suppress, Options(sample: false)));
        Assert.True(float.IsNegativeInfinity(result[1]));
        Assert.Equal(2, result.Count(float.IsFinite));
    }
}
