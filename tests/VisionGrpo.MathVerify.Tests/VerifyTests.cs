#pragma warning disable xUnit1051 // the calls under test use their own budgets and tokens on purpose
using VisionGrpo.MathVerify.Extraction;
using VisionGrpo.MathVerify.Latex;

namespace VisionGrpo.MathVerify.Tests;

public class VerifyTests
{
    static readonly IReadOnlyList<ExtractionTarget> Boxed0 = [new LatexExtractionConfig(BoxedMatchPriority: 0), new ExprExtractionConfig()];

    static bool V(string gold, string pred, int rounding = 6) =>
        MathVerifier.Verify(MathVerifier.Parse(gold, Boxed0), MathVerifier.Parse(pred, Boxed0), new VerifyOptions(FloatRounding: rounding));

    [Theory]
    [InlineData("$\\frac{1}{2}$", "$0.5$", true)]
    [InlineData("$\\frac{1}{3}$", "$0.333333$", true)]
    [InlineData("$\\frac{1}{3}$", "$0.33333$", false)]
    [InlineData("$\\pi$", "$3.14159265$", true)]
    [InlineData("$\\pi$", "$3.14$", false)]
    [InlineData("$50\\%$", "$0.5$", true)]
    [InlineData("$50\\%$", "$50$", false)]
    [InlineData("$4$", "$4\\sqrt{2}$", false)]
    [InlineData("$\\sqrt{8}$", "$2\\sqrt{2}$", true)]
    [InlineData("$x+1$", "$1+x$", true)]
    [InlineData("$(x+1)^2$", "$x^2+2x+1$", true)]
    [InlineData("$11$", "$x = 5+5+1 = 11$", true)]
    [InlineData("$2x + z = 1$", "$1$", false)]
    [InlineData("$x \\le 5$", "$5 \\ge x$", true)]
    [InlineData("$1 < x < 2$", "$(1,2)$", true)]
    [InlineData("$(1,2)$", "$1 < x < 2$", false)]
    [InlineData("$\\{1,3\\} \\cup \\{2,4\\}$", "$\\{1,2,3,4\\}$", true)]
    [InlineData("$(1,3)$", "$\\{1,3\\}$", true)]
    [InlineData("$(3,1)$", "$\\{1,3\\}$", false)]
    [InlineData("$\\begin{pmatrix}1&2\\\\3&4\\end{pmatrix}$", "$\\begin{bmatrix}1&2\\\\3&4\\end{bmatrix}$", true)]
    [InlineData("$\\text{odd}$", "$\\text{Odd}$", true)]
    [InlineData("$2x+4y-3=0$", "$y = -x/2 + 3/4$", true)]
    [InlineData("$5$", "$\\boxed{5}$ and later $\\boxed{6}$", false)]
    [InlineData("$\\frac{1}{2004!}$", "$\\frac{1}{2006!}$", true)] // the reference's known false positive (15-digit chopping), reproduced
    public void ComparesLikeTheReference(string gold, string pred, bool expected) => Assert.Equal(expected, V(gold, pred));

    [Fact]
    public void FloatRoundingIsConfigurable()
    {
        Assert.True(V("$1.333$", "$\\frac{4}{3}$", 3));
        Assert.False(V("$1.333$", "$\\frac{4}{3}$", 4));
    }

    [Fact]
    public void ParseReturnsValueAndFallbackString()
    {
        var r = MathVerifier.Parse("The answer is $\\frac{1}{2}$");
        Assert.Equal(2, r.Count);
        Assert.Equal("1/2", r[0].ToString());
        Assert.Equal("\\frac{1}{2}", r[1]);
        Assert.Empty(MathVerifier.Parse("nothing to see"));
    }

    [Theory]
    [InlineData("\\boxed{1}\\boxed{2}", "1,2")]
    [InlineData("I think \\boxed{3} is wrong. Final: \\boxed{5}", "5")]
    [InlineData("$2x + c$", "2x +")]
    [InlineData("15\\mbox{ cm}^2", "15")]
    public void NormalizesLikeTheReference(string input, string expected) =>
        Assert.Equal(expected, LatexNormalizer.Normalize(input, new NormalizationConfig(Units: true, Boxed: "last")));
}

public class RobustnessTests
{
    static readonly TimeSpan Quick = TimeSpan.FromSeconds(8);

    static void AssertQuickFalse(string pred)
    {
        var sw = System.Diagnostics.Stopwatch.StartNew();
        var gold = MathVerifier.Parse("$464$");
        var parsed = MathVerifier.Parse(pred, timeout: TimeSpan.FromSeconds(2));
        Assert.False(MathVerifier.Verify(gold, parsed, new VerifyOptions(Timeout: TimeSpan.FromSeconds(2))));
        Assert.True(sw.Elapsed < Quick, $"took {sw.Elapsed}");
    }

    [Fact]
    public void PowerTowerIsRefusedQuickly() => AssertQuickFalse("$9^{9^{9^9}}$");

    [Fact]
    public void DeepNestingDoesNotOverflowTheStack()
    {
        AssertQuickFalse("$" + string.Concat(Enumerable.Repeat("\\frac{1}{", 10_000)) + "2" + new string('}', 10_000) + "$");
        AssertQuickFalse("$" + new string('(', 10_000) + "1" + new string(')', 10_000) + "$");
        AssertQuickFalse("$" + new string('{', 10_000) + "1" + new string('}', 10_000) + "$");
    }

    [Fact]
    public void HundredKilobyteAnswerIsHandled() => AssertQuickFalse("$" + string.Concat(Enumerable.Repeat("1+", 50_000)) + "1$");

    [Fact]
    public void CancellationGivesEmptyParseAndFalseVerify()
    {
        using var cts = new CancellationTokenSource();
        cts.Cancel();
        Assert.Empty(MathVerifier.Parse("$1+1$", cancellationToken: cts.Token));
        var one = MathVerifier.Parse("$1$");
        Assert.False(MathVerifier.Verify(one.Take(1).ToList(), one.Take(1).ToList(), cancellationToken: cts.Token));
    }

    [Fact]
    public void IsThreadSafe()
    {
        var results = new bool[64];
        Parallel.For(0, results.Length, i =>
            results[i] = MathVerifier.Verify(MathVerifier.Parse($"$\\frac{{{i}}}{{2}}$"), MathVerifier.Parse($"${i / 2.0}$")));
        Assert.All(results, Assert.True);
    }
}
