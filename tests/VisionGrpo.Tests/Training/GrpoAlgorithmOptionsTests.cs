using VisionGrpo.Training.Config;

namespace VisionGrpo.Tests.Training;

public class GrpoAlgorithmOptionsTests
{
    [Fact]
    public void DefaultsDifferPerTrlVersionAsInTheFixtureReadme()
    {
        var v020 = GrpoAlgorithmOptions.Defaults(TrlCompat.V0_20);
        var v19 = GrpoAlgorithmOptions.Defaults(TrlCompat.V1_9);
        Assert.Equal(GrpoLossType.Bnpo, v020.LossType);
        Assert.Equal(GrpoLossType.Dapo, v19.LossType);
        foreach (var o in new[] { v020, v19 })
        {
            Assert.Equal(0.0, o.Beta);
            Assert.Equal(0.2, o.Epsilon);
            Assert.Equal(0.2, o.EffectiveEpsilonHigh);
            Assert.Null(o.Delta);
            Assert.Equal(ScaleRewards.Group, o.ScaleRewards);
            Assert.Equal(256, o.MaxCompletionLength);
            Assert.Equal(8, o.NumGenerations);
            Assert.Equal(1.0, o.TopEntropyQuantile);
        }
    }

    [Fact]
    public void KeysParseTrlSpellings()
    {
        var o = GrpoAlgorithmOptions.Defaults(TrlCompat.V1_9);
        o = GrpoAlgorithmKeys.TryApply(o, "loss_type", "dr_grpo")!;
        o = GrpoAlgorithmKeys.TryApply(o, "scale_rewards", "False")!;
        o = GrpoAlgorithmKeys.TryApply(o, "epsilon_high", "0.28")!;
        o = GrpoAlgorithmKeys.TryApply(o, "reward_weights", "[1.0, 0.5]")!;
        o = GrpoAlgorithmKeys.TryApply(o, "importance_sampling_level", "sequence")!;
        o = GrpoAlgorithmKeys.TryApply(o, "trl_compat", "0.20")!;
        Assert.Equal(GrpoLossType.DrGrpo, o.LossType);
        Assert.Equal(ScaleRewards.None, o.ScaleRewards);
        Assert.Equal(0.28, o.EffectiveEpsilonHigh);
        Assert.Equal(new[] { 1.0, 0.5 }, o.RewardWeights);
        Assert.Equal(ImportanceSamplingLevel.Sequence, o.ImportanceSamplingLevel);
        Assert.Equal(TrlCompat.V0_20, o.Compat);
        o = GrpoAlgorithmKeys.TryApply(o, "epsilon_high", "None")!;
        Assert.Null(o.EpsilonHigh);
        Assert.Null(GrpoAlgorithmKeys.TryApply(o, "learning_rate", "1e-5"));
        var e = Assert.Throws<ArgumentException>(() => GrpoAlgorithmKeys.TryApply(o, "num_generations", "two"));
        Assert.Contains("num_generations", e.Message);
    }

    [Fact]
    public void V020RejectsOptionsItDoesNotHave()
    {
        var o = GrpoAlgorithmOptions.Defaults(TrlCompat.V0_20);
        Assert.Contains("batch", Assert.Throws<ArgumentException>(() => (o with { ScaleRewards = ScaleRewards.Batch }).Validate()).Message);
        Assert.Contains("normalize_then_sum", Assert.Throws<ArgumentException>(() => (o with { MultiObjectiveAggregation = MultiObjectiveAggregation.NormalizeThenSum }).Validate()).Message);
        (GrpoAlgorithmOptions.Defaults(TrlCompat.V1_9) with { LossType = GrpoLossType.Vespo, ScaleRewards = ScaleRewards.Batch }).Validate();
    }
}
