using TorchSharp;
using VisionGrpo.Tensors;
using VisionGrpo.Training.Loss;
using static TorchSharp.torch;

namespace VisionGrpo.Tests.Training;

/// <summary>
/// The fused, blocked LM head + log-softmax equals the plain path (full logits, log_softmax, gather; entropy
/// −Σ p·log p) in values and in gradients w.r.t. the hidden states and the output weight, across row and vocabulary
/// block boundaries, for temperatures ≠ 1 and peaked distributions.
/// </summary>
public class FusedTokenScoresTests
{
    // 150 rows cross the 128-row block; 2 · 8192 + 37 entries cross two vocabulary blocks and end in a partial one.
    const long Vocab = 2 * FusedTokenScores.VocabBlock + 37;

    static (Tensor Hidden, Tensor Weight, Tensor Targets) Inputs(ScalarType dtype, double scale, long b = 3, long c = 50, long h = 8, int seed = 1)
    {
        var gen = new Generator((ulong)seed);
        var hidden = (torch.randn([b, c, h], generator: gen, dtype: ScalarType.Float64) * scale).to(dtype);
        var weight = torch.randn([Vocab, h], generator: gen, dtype: ScalarType.Float64).to(dtype);
        var targets = torch.randint(0, Vocab, [b, c], generator: gen, dtype: ScalarType.Int64);
        return (hidden, weight, targets);
    }

    static (Tensor Logps, Tensor Entropies) Reference(Tensor hidden, Tensor weight, Tensor targets, double temperature)
    {
        var logits = nn.functional.linear(hidden, weight) / temperature;
        var lsm = logits.log_softmax(-1);
        var entropy = -(lsm.detach().exp() * lsm.detach()).sum(-1);
        return (lsm.gather(-1, targets.unsqueeze(-1)).squeeze(-1), entropy);
    }

    static double MaxAbsDiff(Tensor a, Tensor b) => (a.to(ScalarType.Float64) - b.to(ScalarType.Float64)).abs().max().item<double>();

    [Theory]
    [InlineData(1.0, 1.0)]
    [InlineData(0.7, 1.0)]
    [InlineData(1.0, 6.0)]   // peaked: logits spread over tens of nats, entropies near 0
    public void Float64ValuesAndGradientsEqualThePlainPath(double temperature, double scale)
    {
        TorchRuntime.EnsureInitialized();
        using var scope = NewDisposeScope();
        var (hidden, weight, targets) = Inputs(ScalarType.Float64, scale);
        var upstream = torch.randn(targets.shape, generator: new Generator(9), dtype: ScalarType.Float64);

        var h1 = hidden.clone().requires_grad_(true);
        var w1 = weight.clone().requires_grad_(true);
        var (logps, entropies) = FusedTokenScores.Compute(h1, w1, targets, temperature, withEntropies: true);
        torch.autograd.backward([logps], [upstream]);

        var h2 = hidden.clone().requires_grad_(true);
        var w2 = weight.clone().requires_grad_(true);
        var (refLogps, refEntropies) = Reference(h2, w2, targets, temperature);
        torch.autograd.backward([refLogps], [upstream]);

        Assert.Equal(ScalarType.Float64, logps.dtype);
        Assert.InRange(MaxAbsDiff(logps, refLogps), 0, 1e-10);
        Assert.InRange(MaxAbsDiff(entropies!, refEntropies), 0, 1e-10);
        Assert.False(entropies!.requires_grad);
        Assert.InRange(MaxAbsDiff(h1.grad!, h2.grad!), 0, 1e-10);
        Assert.InRange(MaxAbsDiff(w1.grad!, w2.grad!), 0, 1e-10);
    }

    [Fact]
    public void Float32MatchesTheFloat64ReferenceAndOnlyTheHiddenStatesGetGradientsUnderLora()
    {
        TorchRuntime.EnsureInitialized();
        using var scope = NewDisposeScope();
        var (hidden, weight, targets) = Inputs(ScalarType.Float32, 3.0, seed: 2);
        var h = hidden.clone().requires_grad_(true);  // the LoRA case: frozen output weight
        var (logps, entropies) = FusedTokenScores.Compute(h, weight, targets, 1.0, withEntropies: true);
        logps.sum().backward();

        var h64 = hidden.to(ScalarType.Float64).requires_grad_(true);
        var (refLogps, refEntropies) = Reference(h64, weight.to(ScalarType.Float64), targets, 1.0);
        refLogps.sum().backward();

        Assert.Equal(ScalarType.Float32, logps.dtype);
        Assert.InRange(MaxAbsDiff(logps, refLogps), 0, 1e-4);
        Assert.InRange(MaxAbsDiff(entropies!, refEntropies), 0, 1e-4);
        Assert.InRange(MaxAbsDiff(h.grad!, h64.grad!), 0, 1e-4);
        Assert.Null(weight.grad);
    }

    [Fact]
    public void BFloat16RunsTheGemmsInBf16AndTheSoftmaxInFloat32()
    {
        TorchRuntime.EnsureInitialized();
        using var scope = NewDisposeScope();
        var (hidden, weight, targets) = Inputs(ScalarType.BFloat16, 1.0, seed: 3);
        var h = hidden.clone().requires_grad_(true);
        var (logps, entropies) = FusedTokenScores.Compute(h, weight, targets, 1.0, withEntropies: true);
        logps.sum().backward();
        // Values: the plain path on the same bf16 logits (the GEMM rounds them to bf16), softmax in float64.
        var bf16Logits = nn.functional.linear(hidden, weight).to(ScalarType.Float64);
        var lsm = bf16Logits.log_softmax(-1);
        Assert.Equal(ScalarType.Float32, logps.dtype);
        Assert.InRange(MaxAbsDiff(logps, lsm.gather(-1, targets.unsqueeze(-1)).squeeze(-1)), 0, 1e-3);
        Assert.InRange(MaxAbsDiff(entropies!, -(lsm.exp() * lsm).sum(-1)), 0, 1e-3);
        // Gradients: against exact float64 math on the bf16 inputs (bf16 carries ~3 significant digits).
        var h64 = hidden.to(ScalarType.Float64).requires_grad_(true);
        Reference(h64, weight.to(ScalarType.Float64), targets, 1.0).Logps.sum().backward();
        Assert.Equal(ScalarType.BFloat16, h.grad!.dtype);
        Assert.InRange(MaxAbsDiff(h.grad!, h64.grad!), 0, 0.1);
        Assert.True(logps.le(0).all().item<bool>());
    }

    [Fact]
    public void WithoutGradTheResultHasNoGraphAndEqualsTheGradPath()
    {
        TorchRuntime.EnsureInitialized();
        using var scope = NewDisposeScope();
        var (hidden, weight, targets) = Inputs(ScalarType.Float32, 1.0, b: 2, c: 5, seed: 4);
        Tensor plain;
        using (torch.no_grad()) plain = FusedTokenScores.Compute(hidden.requires_grad_(true), weight, targets, 0.9, withEntropies: false).Logps;
        var (graph, entropies) = FusedTokenScores.Compute(hidden, weight, targets, 0.9, withEntropies: false);
        Assert.False(plain.requires_grad);
        Assert.True(graph.requires_grad);
        Assert.Null(entropies);
        Assert.Equal(0, MaxAbsDiff(plain, graph));
    }

    [Fact]
    public void TargetsOutsideTheVocabularyAndMismatchedShapesAreRejected()
    {
        TorchRuntime.EnsureInitialized();
        using var scope = NewDisposeScope();
        var (hidden, weight, targets) = Inputs(ScalarType.Float32, 1.0, b: 1, c: 3, seed: 5);
        var bad = targets.clone();
        bad[0, 1] = torch.tensor(Vocab);
        var e = Assert.Throws<ArgumentException>(() => FusedTokenScores.Compute(hidden, weight, bad, 1.0, true));
        Assert.Contains($"[0, {Vocab})", e.Message);
        Assert.Throws<ArgumentException>(() => FusedTokenScores.Compute(hidden, weight, targets.narrow(1, 0, 2), 1.0, true));
        Assert.Throws<ArgumentException>(() => FusedTokenScores.Compute(hidden, weight.narrow(1, 0, 4), targets, 1.0, true));
        Assert.Throws<ArgumentOutOfRangeException>(() => FusedTokenScores.Compute(hidden, weight, targets, 0.0, true));
    }
}
