using TorchSharp;
using VisionGrpo.Lora;
using VisionGrpo.Tests.Models;
using static TorchSharp.torch;

namespace VisionGrpo.Tests.Lora;

/// <summary>The adapter's arithmetic on a lone Linear, against a hand computation in double loops.</summary>
[Collection(GlobalRngCollection.Name)]
public class LoraMathTests
{
    static LoraConfig Config(double dropout = 0, bool rslora = false, string init = "true") => new()
    {
        R = 2, LoraAlpha = 3, LoraDropout = dropout, UseRslora = rslora, InitLoraWeights = init,
        TargetModules = LoraTargetModules.FromNames(["x"]),
    };

    [Theory]
    [InlineData(false, 1.5)]
    [InlineData(true, 2.1213203435596424)]
    public void OutputIsBasePlusScaledBA(bool rslora, double scaling)
    {
        VisionGrpo.Tensors.TorchRuntime.EnsureInitialized();
        using var scope = NewDisposeScope();
        torch.manual_seed(7);
        var linear = nn.Linear(3, 4, hasBias: true);
        linear.eval();
        using var layer = new LoraLayer("x", linear, Config(rslora: rslora));
        Assert.Equal(scaling, layer.Scaling, 12);
        using (no_grad()) layer.B.normal_(0, 1);
        var x = torch.randn(5, 3);
        var y = linear.call(x);

        double[] w = linear.weight!.data<float>().Select(v => (double)v).ToArray(), bias = linear.bias!.data<float>().Select(v => (double)v).ToArray();
        double[] a = layer.A.data<float>().Select(v => (double)v).ToArray(), b = layer.B.data<float>().Select(v => (double)v).ToArray();
        float[] xs = x.data<float>().ToArray(), ys = y.data<float>().ToArray();
        for (int n = 0; n < 5; n++)
            for (int o = 0; o < 4; o++)
            {
                double expected = bias[o];
                for (int i = 0; i < 3; i++) expected += xs[n * 3 + i] * w[o * 3 + i];
                for (int k = 0; k < 2; k++)
                {
                    double ax = 0;
                    for (int i = 0; i < 3; i++) ax += a[k * 3 + i] * xs[n * 3 + i];
                    expected += scaling * b[o * 2 + k] * ax;
                }
                // A float32 result against a float64 reference: compare with a tolerance (rounding both to 4 places can
                // straddle a boundary).
                Assert.Equal(expected, ys[n * 4 + o], 1e-4);
            }
    }

    [Fact]
    public void DefaultInitIsKaimingUniformAAndZeroB()
    {
        VisionGrpo.Tensors.TorchRuntime.EnsureInitialized();
        using var scope = NewDisposeScope();
        var linear = nn.Linear(400, 8);
        using var layer = new LoraLayer("x", linear, Config());
        double bound = 1 / Math.Sqrt(400); // kaiming_uniform(a=√5): gain √(2/6) · √(3/fan_in) = 1/√fan_in
        var a = layer.A.data<float>().ToArray();
        Assert.True(a.All(v => Math.Abs(v) <= bound));
        Assert.True(a.Max() > 0.9 * bound && a.Min() < -0.9 * bound);
        Assert.True(layer.B.data<float>().ToArray().All(v => v == 0));
        var x = torch.randn(3, 400);
        Assert.Equal(0, TinyFixture.MaxDiff(linear.call(x), linear.forward(x))); // a fresh adapter is a no-op
        using var gaussian = new LoraLayer("x", nn.Linear(400, 8), Config(init: "gaussian"));
        Assert.InRange(gaussian.A.std().item<float>(), 0.4, 0.6); // std 1/r = 0.5
    }

    [Fact]
    public void DropoutOnlyInTrainingAndOnlyOnTheAdapterInput()
    {
        VisionGrpo.Tensors.TorchRuntime.EnsureInitialized();
        using var scope = NewDisposeScope();
        var linear = nn.Linear(64, 16);
        using var layer = new LoraLayer("x", linear, Config(dropout: 0.5));
        using (no_grad()) layer.B.normal_(0, 1);
        var x = torch.randn(8, 64);
        linear.eval();
        var eval1 = linear.call(x);
        Assert.Equal(0, TinyFixture.MaxDiff(eval1, linear.call(x)));
        Assert.InRange(TinyFixture.MaxDiff(eval1, linear.forward(x) + layer.Delta(x, training: false)), 0, 1e-5);
        linear.train();
        var train = linear.call(x);
        Assert.True(TinyFixture.MaxDiff(train, eval1) > 1e-3);
        // The base path never sees dropout: with B = 0 the training output is exactly the base output.
        using (no_grad()) layer.B.zero_();
        Assert.Equal(0, TinyFixture.MaxDiff(linear.call(x), linear.forward(x)));
    }

    [Fact]
    public void MergeFoldsAndUnmergeRestores()
    {
        VisionGrpo.Tensors.TorchRuntime.EnsureInitialized();
        using var scope = NewDisposeScope();
        var linear = nn.Linear(6, 5);
        linear.eval();
        using var layer = new LoraLayer("x", linear, Config());
        using (no_grad()) layer.B.normal_(0, 1);
        var x = torch.randn(4, 6);
        var before = linear.weight!.clone();
        var adapted = linear.call(x);
        layer.Merge();
        Assert.InRange(TinyFixture.MaxDiff(linear.weight!, before + layer.B.mm(layer.A) * layer.Scaling), 0, 0);
        Assert.InRange(TinyFixture.MaxDiff(linear.call(x), adapted), 0, 1e-5);
        layer.Unmerge();
        Assert.InRange(TinyFixture.MaxDiff(linear.weight!, before), 0, 1e-6);
        Assert.InRange(TinyFixture.MaxDiff(linear.call(x), adapted), 0, 1e-5);
    }
}
