using TorchSharp;
using VisionGrpo.Training.Advantages;
using VisionGrpo.Training.Config;
using static TorchSharp.torch;

namespace VisionGrpo.Tests.Training;

public class GroupAdvantagesTests
{
    static IReadOnlyList<IReadOnlyList<double?>> Rows(params double?[] oneFunction) =>
        oneFunction.Select(v => (IReadOnlyList<double?>)new[] { v }).ToList();

    [Fact]
    public void CookbookGroupOfTwoGivesPlusMinusPoint7071()
    {
        var result = GroupAdvantages.Compute(Rows(1.0, 0.0, 1.0, 1.0), new[] { "accuracy_reward" },
            GrpoAlgorithmOptions.Defaults(TrlCompat.V0_20) with { NumGenerations = 2 });
        double expected = 0.5 / (Math.Sqrt(0.5) + 1e-4); // (|d|/2) / (|d|/√2 + 1e-4)
        Assert.Equal(expected, result.Advantages[0], 1e-6);
        Assert.Equal(-expected, result.Advantages[1], 1e-6);
        Assert.Equal(new float[] { 0, 0 }, result.Advantages[2..]);
        Assert.Equal(0.5, result.Metrics["frac_reward_zero_std"]);
        Assert.Equal(0.75, result.Metrics["reward"], 1e-7);
        Assert.Equal(Math.Sqrt(0.5) / 2, result.Metrics["reward_std"], 1e-7); // 0.20: mean of the group stds
    }

    [Fact]
    public void UnscorableRowUnderV020WarnsAndGetsZeroAdvantageInsteadOfCrashing()
    {
        var rows = new List<IReadOnlyList<double?>> { new double?[] { 1, null }, new double?[] { null, null }, new double?[] { 0, 1 }, new double?[] { 2, 2 } };
        var result = GroupAdvantages.Compute(rows, new[] { "a", "b" }, GrpoAlgorithmOptions.Defaults(TrlCompat.V0_20) with { NumGenerations = 2 });
        Assert.Equal(0f, result.Advantages[1]);
        Assert.Equal(0f, result.Advantages[0]); // the only scorable row of its group: no baseline, advantage 0 (1.9)
        Assert.Equal(new[] { 1 }, result.UnscorableRows);
        Assert.Contains("TRL 0.20 crashes", Assert.Single(result.Warnings));
    }

    [Fact]
    public void RowsMustFormWholeGroupsAndWeightsMustMatch()
    {
        var e = Assert.Throws<ArgumentException>(() => GroupAdvantages.Compute(Rows(1, 2, 3), new[] { "r" }, new GrpoAlgorithmOptions { NumGenerations = 2 }));
        Assert.Contains("num_generations", e.Message);
        var w = Assert.Throws<ArgumentException>(() => GroupAdvantages.Compute(Rows(1, 2), new[] { "r" }, new GrpoAlgorithmOptions { NumGenerations = 2, RewardWeights = new[] { 1.0, 2.0 } }));
        Assert.Contains("reward_weights", w.Message);
    }

    [Fact]
    public void CompletionMaskTensorsFollowTheFirstEos()
    {
        using var scope = NewDisposeScope();
        var ids = torch.tensor(new long[] { 3, 1, 5, 1, 2, 4, 6, 7 }, new long[] { 2, 4 });
        var mask = CompletionMasks.UpToFirstEos(ids, 1);
        Assert.Equal(new[] { 1, 1, 0, 0, 1, 1, 1, 1 }, mask.data<int>().ToArray());
        var truncated = CompletionMasks.Truncated(ids, 1);
        Assert.Equal(new[] { false, true }, truncated.data<bool>().ToArray());
        Assert.Equal(new[] { 1, 1, 0, 0, 0, 0, 0, 0 }, CompletionMasks.MaskTruncated(mask, truncated).data<int>().ToArray());
        Assert.Equal(new[] { 3, 1 }, CompletionBatch.CutAfterFirstEos(new[] { 3, 1, 5, 1 }, 1));
    }
}
