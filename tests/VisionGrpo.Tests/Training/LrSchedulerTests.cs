using VisionGrpo.Training.Optim;

namespace VisionGrpo.Tests.Training;

/// <summary>Expected values worked out by hand from transformers' get_scheduler formulas (Python double arithmetic).</summary>
public class LrSchedulerTests
{
    [Fact]
    public void LinearDecayLikeTheCookbookRun()
    {
        // lr 1e-5, 307 steps, no warmup: after 10 optimizer steps the logged lr is 1e-5 · 297/307.
        var s = new LrScheduler(LrSchedulerType.Linear, 1e-5, 0, 307);
        Assert.Equal(1e-5, s.CurrentLearningRate);
        for (int i = 0; i < 10; i++) s.Step();
        Assert.Equal(9.6742671009772e-06, s.CurrentLearningRate);
        for (int i = 10; i < 307; i++) s.Step();
        Assert.Equal(0.0, s.CurrentLearningRate);
    }

    [Theory]
    [InlineData(0, 0.0)]
    [InlineData(2, 0.0005)]
    [InlineData(4, 0.001)]
    [InlineData(50, 0.0)]
    public void LinearWithWarmup(int step, double expected) =>
        Assert.Equal(expected, new LrScheduler(LrSchedulerType.Linear, 1e-3, 4, 50).LearningRateAt(step));

    [Theory]
    [InlineData(0, 0.0)]
    [InlineData(5, 0.0001)]
    [InlineData(10, 0.0002)]
    [InlineData(55, 0.0001)]
    [InlineData(100, 0.0)]
    [InlineData(120, 2.33955556881022e-05)] // transformers does not clamp progress past the end
    public void CosineWithWarmup(int step, double expected) =>
        Assert.Equal(expected, new LrScheduler(LrSchedulerType.Cosine, 2e-4, 10, 100).LearningRateAt(step));

    [Theory]
    [InlineData(0, 0.0)]
    [InlineData(3, 1.2857142857142857e-05)]
    [InlineData(7, 3e-05)]
    [InlineData(8, 3e-05)]
    public void ConstantWithWarmup(int step, double expected) =>
        Assert.Equal(expected, new LrScheduler(LrSchedulerType.ConstantWithWarmup, 3e-5, 7, 20).LearningRateAt(step));

    [Fact]
    public void ConstantIgnoresWarmupAndSteps() =>
        Assert.Equal(5e-6, new LrScheduler(LrSchedulerType.Constant, 5e-6, 3, 10).LearningRateAt(1));

    [Theory]
    [InlineData(307, 0, 0.1, 31)]
    [InlineData(307, 5, 0.1, 5)]
    [InlineData(100, 0, 0.0, 0)]
    public void WarmupStepsResolveLikeTrainingArguments(int total, int steps, double ratio, int expected) =>
        Assert.Equal(expected, LrScheduler.ResolveWarmupSteps(total, steps, ratio));

    [Fact]
    public void StateRoundTripsAndRejectsAnotherSchedule()
    {
        var a = new LrScheduler(LrSchedulerType.Cosine, 1e-4, 2, 30);
        for (int i = 0; i < 7; i++) a.Step();
        var b = new LrScheduler(LrSchedulerType.Cosine, 1e-4, 2, 30);
        b.LoadStateDict(a.StateDict());
        Assert.Equal(7, b.LastStep);
        Assert.Equal(a.CurrentLearningRate, b.CurrentLearningRate);
        var c = new LrScheduler(LrSchedulerType.Linear, 1e-4, 2, 30);
        Assert.Throws<InvalidDataException>(() => c.LoadStateDict(a.StateDict()));
    }

    [Fact]
    public void ParsesTransformersNames()
    {
        Assert.Equal(LrSchedulerType.ConstantWithWarmup, LrSchedulerTypeNames.Parse("constant_with_warmup"));
        Assert.Throws<ArgumentException>(() => LrSchedulerTypeNames.Parse("polynomial"));
    }
}
