using TorchSharp;
using VisionGrpo.Tensors;
using VisionGrpo.Training.Config;
using VisionGrpo.Training.Loss;
using static TorchSharp.torch;

namespace VisionGrpo.Tests.Training;

public class GrpoLossTests
{
    static GrpoAlgorithmOptions V19(GrpoLossType type) => GrpoAlgorithmOptions.Defaults(TrlCompat.V1_9) with { LossType = type };

    /// <summary>On-policy batch: B = 2, lengths 2 and 3 of T = 3, advantages +1 and −0.5.</summary>
    static (Tensor Logps, GrpoLossInputs Inputs) OnPolicy(ScalarType dtype = ScalarType.Float64, double? numItems = null)
    {
        var logps = torch.tensor(new[] { -1.0, -2.0, -0.5, -0.3, -0.7, -1.1 }, new long[] { 2, 3 }, dtype).requires_grad_(true);
        var inputs = new GrpoLossInputs
        {
            PerTokenLogps = logps,
            Advantages = torch.tensor(new[] { 1.0, -0.5 }, dtype),
            CompletionMask = torch.tensor(new long[] { 1, 1, 0, 1, 1, 1 }, new long[] { 2, 3 }),
            Entropies = torch.tensor(new[] { 1.0, 2.0, 9.0, 0.5, 1.5, 3.0 }, new long[] { 2, 3 }, dtype),
            NumItemsInBatch = numItems,
        };
        return (logps, inputs);
    }

    static double[] Grad(Tensor leaf) => leaf.grad!.to(ScalarType.Float64).data<double>().ToArray();

    [Fact]
    public void SapoOnPolicyGivesMinusTwoOverTauTimesAdvantageAndGradientMinusA()
    {
        TorchRuntime.EnsureInitialized();
        using var scope = NewDisposeScope();
        var (logps, inputs) = OnPolicy();
        using var result = GrpoLoss.Compute(inputs, V19(GrpoLossType.Sapo));
        // ℓ = −(4/τ)·σ(0)·A = −2A/τ: row 0 (τ+ = 1) → −2, row 1 (τ− = 1.05) → +1/1.05; grpo-style mean of row means.
        Assert.Equal((-2.0 + 1.0 / 1.05) / 2, result.Loss.item<double>(), 1e-15);
        result.Loss.backward();
        // dℓ/dlogp = −(4/τ)·τ·σ'(0)·A = −A per token; averaged over the row's tokens and over 2 rows.
        Assert.Equal(new[] { -0.25, -0.25, 0, 0.5 / 6, 0.5 / 6, 0.5 / 6 }, Grad(logps), new ToleranceComparer(1e-15));
        Assert.DoesNotContain(result.Metrics.Keys, k => k.StartsWith("clip_ratio"));
    }

    [Fact]
    public void CispoAndVespoOnPolicyReduceToPolicyGradientOverTheTokenCount()
    {
        TorchRuntime.EnsureInitialized();
        foreach (var type in new[] { GrpoLossType.Cispo, GrpoLossType.Vespo })
        {
            using var scope = NewDisposeScope();
            var (logps, inputs) = OnPolicy(numItems: 10);
            using var result = GrpoLoss.Compute(inputs, V19(type) with { EpsilonHigh = 5.0 });
            // ratio 1 → weight min(1, 5) = 1 (cispo) and φ(1) = e^(λ−λ) = 1 (vespo): ℓ = −A·logp, Σ over tokens / 10.
            double expected = (-(1.0) * (-1.0 - 2.0) - (-0.5) * (-0.3 - 0.7 - 1.1)) / 10;
            Assert.Equal(expected, result.Loss.item<double>(), 1e-15);
            result.Loss.backward();
            Assert.Equal(new[] { -0.1, -0.1, 0, 0.05, 0.05, 0.05 }, Grad(logps), new ToleranceComparer(1e-15));
        }
    }

    [Fact]
    public void LuspoWeightsSequenceLossByLength()
    {
        TorchRuntime.EnsureInitialized();
        using var scope = NewDisposeScope();
        var (_, inputs) = OnPolicy();
        var options = V19(GrpoLossType.Luspo) with { ImportanceSamplingLevel = ImportanceSamplingLevel.Sequence, GradientAccumulationSteps = 2 };
        using var result = GrpoLoss.Compute(inputs, options);
        // ℓ_b = −A_b, times length (2, 3), mean over 2 rows, divided by GA = 2.
        Assert.Equal((-1.0 * 2 + 0.5 * 3) / 2 / 2, result.Loss.item<double>(), 1e-15);
    }

    [Fact]
    public void StaticEntropyBonusSubtractsTheMaskedMeanEntropy()
    {
        TorchRuntime.EnsureInitialized();
        using var scope = NewDisposeScope();
        var (_, inputs) = OnPolicy();
        using var plain = GrpoLoss.Compute(inputs, V19(GrpoLossType.Bnpo));
        using var bonus = GrpoLoss.Compute(inputs, V19(GrpoLossType.Bnpo) with { EntropyCoef = 0.1 });
        double meanEntropy = (1.0 + 2.0 + 0.5 + 1.5 + 3.0) / 5;
        Assert.Equal(plain.Loss.item<double>() - 0.1 * meanEntropy, bonus.Loss.item<double>(), 1e-15);
        Assert.Equal(plain.Loss.item<double>(), bonus.Metrics["policy_loss"], 1e-15);
        Assert.Equal(meanEntropy, bonus.Metrics["entropy"], 1e-15);
    }

    [Theory]
    [InlineData(ScalarType.Float32, 1e-5)]
    [InlineData(ScalarType.BFloat16, 3e-2)]
    public void LowPrecisionInputsMatchTheFloat64Fixture(ScalarType dtype, double relTolerance)
    {
        TorchRuntime.EnsureInitialized();
        foreach (string id in new[] { "dev-loss-014@v1.9.0", "dev-loss-004@v0.20.0", "dev-loss-017@v1.9.0" })
        {
            using var scope = NewDisposeScope();
            var record = GrpoFixtureCases.Get(id);
            var outputs = record["outputs"]!;
            var inputs = record["inputs"]!;
            var options = GrpoAlgorithmOptions.Defaults(id.EndsWith("v0.20.0") ? TrlCompat.V0_20 : TrlCompat.V1_9);
            var hp = record["hyperparameters"]!;
            options = options with
            {
                LossType = GrpoEnumNames.ParseLossType(hp["loss_type"]!.GetValue<string>()),
                Beta = hp["beta"]!.GetValue<double>(),
                Epsilon = hp["epsilon"]!.GetValue<double>(),
                EpsilonHigh = hp["epsilon_high"]?.GetValue<double>(),
                ImportanceSamplingLevel = GrpoEnumNames.ParseImportanceSamplingLevel(hp["importance_sampling_level"]?.GetValue<string>() ?? "token"),
                GradientAccumulationSteps = hp["gradient_accumulation_steps"]?.GetValue<int>() ?? 1,
                TopEntropyQuantile = hp["top_entropy_quantile"]?.GetValue<double>() ?? 1.0,
                MaxCompletionLength = hp["max_completion_length"]!.GetValue<int>(),
            };
            Tensor M(string key, System.Text.Json.Nodes.JsonNode? n) => torch.tensor(GrpoFixtureCases.Flatten(n), Shape(n), ScalarType.Float64).to(dtype);
            var logps = M("logps", outputs["per_token_logps"]).detach().requires_grad_(true);
            using var result = GrpoLoss.Compute(new GrpoLossInputs
            {
                PerTokenLogps = logps,
                OldPerTokenLogps = inputs["old_per_token_logps"] is { } o ? M("old", o) : null,
                RefPerTokenLogps = inputs["ref_per_token_logps"] is { } r ? M("ref", r) : null,
                Advantages = torch.tensor(GrpoFixtureCases.Flatten(inputs["advantages"]), ScalarType.Float64).to(dtype),
                CompletionMask = M("mask", inputs["completion_mask"]),
                Entropies = M("entropies", outputs["entropies"]),
                NumItemsInBatch = inputs["num_items_in_batch"] is { } ni ? GrpoFixtureCases.Number(ni) : null,
            }, options);
            Assert.Equal(ScalarType.Float32, result.Loss.dtype);
            double expected = GrpoFixtureCases.Number(outputs["loss"]) / GrpoFixtureCases.Number(outputs["trainer_loss_divisor"]);
            double actual = result.Loss.item<float>();
            Assert.True(double.IsFinite(actual));
            Assert.True(Math.Abs(actual - expected) <= relTolerance * Math.Abs(expected) + 1e-6, $"{id} {dtype}: {actual} vs {expected}");
            result.Loss.backward();
            Assert.Equal(dtype, logps.grad!.dtype);
        }
    }

    static long[] Shape(System.Text.Json.Nodes.JsonNode? n)
    {
        var a = n!.AsArray();
        return new long[] { a.Count, a[0]!.AsArray().Count };
    }

    [Fact]
    public void MissingReferenceLogpsAndVersionlessLossTypesAreRejected()
    {
        TorchRuntime.EnsureInitialized();
        using var scope = NewDisposeScope();
        var (_, inputs) = OnPolicy();
        var e1 = Assert.Throws<ArgumentException>(() => GrpoLoss.Compute(inputs, V19(GrpoLossType.Grpo) with { Beta = 0.04 }));
        Assert.Contains("ref_per_token_logps", e1.Message);
        var e2 = Assert.Throws<ArgumentException>(() => GrpoLoss.Compute(inputs, GrpoAlgorithmOptions.Defaults(TrlCompat.V0_20) with { LossType = GrpoLossType.Dapo }));
        Assert.Contains("trl_compat", e2.Message);
    }

    [Fact]
    public void EvaluationDoesNotDivideByGradientAccumulation()
    {
        TorchRuntime.EnsureInitialized();
        using var scope = NewDisposeScope();
        var (logps, inputs) = OnPolicy();
        var options = V19(GrpoLossType.Grpo) with { GradientAccumulationSteps = 4 };
        using var train = GrpoLoss.Compute(inputs, options);
        var evalInputs = new GrpoLossInputs { PerTokenLogps = logps, Advantages = inputs.Advantages, CompletionMask = inputs.CompletionMask, Training = false };
        using var eval = GrpoLoss.Compute(evalInputs, options);
        Assert.Equal(eval.Loss.item<double>() / 4, train.Loss.item<double>(), 1e-15);
    }

    sealed class ToleranceComparer(double tolerance) : IEqualityComparer<double>
    {
        public bool Equals(double x, double y) => Math.Abs(x - y) <= tolerance;
        public int GetHashCode(double obj) => 0;
    }
}
