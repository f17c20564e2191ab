using TorchSharp;
using VisionGrpo.Tensors;
using static TorchSharp.torch;

namespace VisionGrpo.Tests;

public class TorchLoadingTests
{
    [Fact]
    public void TensorMathRuns()
    {
        TorchRuntime.EnsureInitialized();
        using var scope = NewDisposeScope();
        var a = tensor(new float[] { 1, 2, 3, 4 }).reshape(2, 2);
        var b = a.mm(a);
        Assert.Equal(new float[] { 7, 10, 15, 22 }, b.data<float>().ToArray());
    }

    [Fact]
    public void AutogradComputesGradients()
    {
        TorchRuntime.EnsureInitialized();
        using var scope = NewDisposeScope();
        var x = tensor(new double[] { 1.5, -2.0, 3.0 }, requires_grad: true);
        var y = (x * x * x).sum();
        y.backward();
        Assert.Equal(new[] { 6.75, 12.0, 27.0 }, x.grad!.data<double>().ToArray());
    }

    [Fact]
    public void TestRunnerUsesOneThread()
    {
        TorchRuntime.EnsureInitialized();
        Assert.Equal(1, get_num_threads());
    }
}
