using VisionGrpo.Vision;

namespace VisionGrpo.Tests.Vision;

/// <summary>smart_resize against the worked table of the design notes (§3.2, min 3136, max 12845056).</summary>
public class SmartResizeTests
{
    [Theory]
    [InlineData(480, 640, 476, 644)]
    [InlineData(1365, 2048, 1372, 2044)]
    [InlineData(1080, 1920, 1092, 1932)]
    [InlineData(224, 224, 224, 224)]
    [InlineData(3000, 4000, 2996, 4004)]
    [InlineData(4000, 5000, 3192, 4004)]
    [InlineData(20, 30, 56, 84)]
    [InlineData(42, 70, 56, 56)]       // 1.5 and 2.5 both round half-to-even to 2
    [InlineData(100, 20000, 112, 19992)]
    [InlineData(10, 2000, 28, 812)]     // newest code: no "< factor" error
    public void MatchesReferenceTable(int h, int w, int eh, int ew) =>
        Assert.Equal((eh, ew), SmartResize.Compute(h, w, 28, 3136, 12845056));

    [Fact]
    public void AspectRatioAbove200Fails()
    {
        var e = Assert.Throws<ArgumentException>(() => SmartResize.Compute(29, 6000, 28, 3136, 12845056));
        Assert.Contains("absolute aspect ratio must be smaller than 200, got 206.89655172413794", e.Message);
    }

    [Fact]
    public void AspectRatioOfExactly200IsAllowed() => Assert.Equal((28, 5992), SmartResize.Compute(30, 6000, 28, 3136, 12845056));

    [Fact]
    public void MaxPixelsBranchClampsToOneFactor() => Assert.Equal((28, 2240), SmartResize.Compute(30, 3000, 28, 3136, 50176));

    [Theory]
    [InlineData(0, 10)]
    [InlineData(10, -1)]
    public void NonPositiveSizeFails(int h, int w) => Assert.Throws<ArgumentException>(() => SmartResize.Compute(h, w, 28, 3136, 12845056));
}
