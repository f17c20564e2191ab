using TorchSharp;
using TorchSharp.Modules;
using VisionGrpo.Tensors;
using VisionGrpo.Training.Optim;
using static TorchSharp.torch;

namespace VisionGrpo.Tests.Training;

public class MixedPrecisionOptimizerTests
{
    /// <summary>A two-layer MLP whose parameters are created from fixed values in <paramref name="dtype"/>.</summary>
    sealed class Mlp
    {
        public readonly Parameter W1, B1, W2, B2;

        public Mlp(ScalarType dtype)
        {
            var gen = new Generator(3);
            // Values drawn once in fp32 and rounded to bf16, so the bf16 and fp32 models start from identical weights.
            Tensor Init(long[] shape, double scale) =>
                (torch.randn(shape, generator: gen) * scale).to(ScalarType.BFloat16).to(dtype);
            W1 = new Parameter(Init([4, 8], 0.5));
            B1 = new Parameter(Init([8], 0.1));
            W2 = new Parameter(Init([8, 1], 0.5));
            B2 = new Parameter(Init([1], 0.1));
        }

        public (string, Parameter)[] Named => [("fc1.weight", W1), ("fc1.bias", B1), ("fc2.weight", W2), ("fc2.bias", B2)];

        public Tensor Loss(Tensor x, Tensor y)
        {
            var h = torch.tanh(x.to(W1.dtype).mm(W1) + B1);
            return (h.mm(W2) + B2).to(ScalarType.Float32).sub(y).square().mean();
        }
    }

    static (Tensor X, Tensor Y) Data()
    {
        var gen = new Generator(5);
        var x = torch.randn([16, 4], generator: gen);
        var y = torch.sin(x.sum(1, keepdim: true));
        return (x, y);
    }

    static void Train(ITrainingOptimizer optimizer, Mlp model, Tensor x, Tensor y, int steps)
    {
        for (int i = 0; i < steps; i++)
        {
            using var scope = NewDisposeScope();
            optimizer.ZeroGrad();
            model.Loss(x, y).backward();
            optimizer.ClipGradNorm(1.0);
            optimizer.Step();
        }
    }

    static float[] Values(Tensor t) => t.detach().to(ScalarType.Float32).data<float>().ToArray();

    [Fact]
    public void Bf16TrainingWithMastersTracksTheFp32Reference()
    {
        TorchRuntime.EnsureInitialized();
        using var scope = NewDisposeScope();
        var (x, y) = Data();
        var reference = new Mlp(ScalarType.Float32);
        var bf16 = new Mlp(ScalarType.BFloat16);
        using var fp32Optimizer = ITrainingOptimizer.CreateAdamW(reference.Named, 0.01, weightDecay: 0.01);
        using var mixed = ITrainingOptimizer.CreateAdamW(bf16.Named, 0.01, weightDecay: 0.01);
        Assert.IsType<AdamWOptimizer>(fp32Optimizer);
        var mp = Assert.IsType<MixedPrecisionOptimizer>(mixed);
        Assert.Equal(4, mp.MasterCount);
        float initialLoss = reference.Loss(x, y).item<float>();
        Train(fp32Optimizer, reference, x, y, 8);
        Train(mixed, bf16, x, y, 8);

        Assert.True(reference.Loss(x, y).item<float>() < initialLoss);
        foreach (var ((name, expected), (_, actual)) in reference.Named.Zip(bf16.Named))
        {
            Assert.Equal(ScalarType.BFloat16, actual.dtype);
            var master = mp.MasterOf(name);
            Assert.Equal(ScalarType.Float32, master.dtype);
            // The model holds exactly the rounded masters.
            Assert.Equal(Values(master.to(ScalarType.BFloat16)), Values(actual));
            // bf16 forward/backward perturbs the gradients by ~1%; Adam's normalised steps stay within a few ulps.
            var diff = Values(master).Zip(Values(expected), (a, b) => Math.Abs(a - b)).Max();
            Assert.True(diff < 0.02, $"{name}: master differs from the fp32 reference by {diff}");
        }
    }

    [Fact]
    public void UpdatesBelowBf16ResolutionAccumulateInTheMasters()
    {
        TorchRuntime.EnsureInitialized();
        using var scope = NewDisposeScope();
        // Adam's first steps move each weight by ≈ lr = 1e-3, below half the bf16 spacing just under 1.0 (2⁻⁹ ≈ 0.00195).
        Parameter Fresh() => new(torch.ones(8, dtype: ScalarType.BFloat16));
        var plainWeight = Fresh();
        var masterWeight = Fresh();
        using var plain = new AdamWOptimizer([("w", plainWeight)], 1e-3);
        using var mixed = new MixedPrecisionOptimizer([("w", masterWeight)], 1e-3);
        for (int i = 0; i < 10; i++)
        {
            foreach (var (optimizer, weight) in new[] { ((ITrainingOptimizer)plain, plainWeight), (mixed, masterWeight) })
            {
                using var step = NewDisposeScope();
                optimizer.ZeroGrad();
                weight.sum().backward();
                optimizer.Step();
            }
        }

        Assert.All(Values(plainWeight), v => Assert.Equal(1f, v));
        Assert.All(Values(mixed.MasterOf("w")), v => Assert.Equal(0.99f, v, 1e-5f));
        // bf16(0.99) = 0.98828125: the model followed the masters down.
        Assert.All(Values(masterWeight), v => Assert.Equal(0.98828125f, v));
    }

    [Fact]
    public void SavedStateResumesExactly()
    {
        TorchRuntime.EnsureInitialized();
        using var scope = NewDisposeScope();
        var (x, y) = Data();
        var straight = new Mlp(ScalarType.BFloat16);
        using (var optimizer = new MixedPrecisionOptimizer(straight.Named, 0.01, weightDecay: 0.01))
            Train(optimizer, straight, x, y, 6);

        string path = Path.Combine(Path.GetTempPath(), $"vg-mp-{Guid.NewGuid():N}");
        try
        {
            var first = new Mlp(ScalarType.BFloat16);
            using (var optimizer = new MixedPrecisionOptimizer(first.Named, 0.01, weightDecay: 0.01))
            {
                Train(optimizer, first, x, y, 3);
                optimizer.Save(path);
            }
            Assert.True(File.Exists(path + MixedPrecisionOptimizer.MastersSuffix));
            // Resume from the rounded bf16 weights (what the checkpoint's model files hold) plus the optimizer state.
            var resumed = new Mlp(ScalarType.BFloat16);
            using (no_grad())
                foreach (var ((_, target), (_, source)) in resumed.Named.Zip(first.Named)) target.copy_(source);
            using (var optimizer = new MixedPrecisionOptimizer(resumed.Named, 0.01, weightDecay: 0.01))
            {
                optimizer.Load(path);
                Train(optimizer, resumed, x, y, 3);
            }
            foreach (var ((name, expected), (_, actual)) in straight.Named.Zip(resumed.Named))
                Assert.True(Values(expected).SequenceEqual(Values(actual)), $"{name} differs after resuming");
        }
        finally
        {
            File.Delete(path);
            File.Delete(path + MixedPrecisionOptimizer.MastersSuffix);
        }
    }

    [Fact]
    public void ParametersWithoutGradientsAreLeftAlone()
    {
        TorchRuntime.EnsureInitialized();
        using var scope = NewDisposeScope();
        var used = new Parameter(torch.ones(4, dtype: ScalarType.BFloat16));
        var unused = new Parameter(torch.full(4, 0.5, dtype: ScalarType.BFloat16));
        using var optimizer = new MixedPrecisionOptimizer([("used", used), ("unused", unused)], 0.1, weightDecay: 0.1);
        for (int i = 0; i < 2; i++)
        {
            optimizer.ZeroGrad();
            used.sum().backward();
            optimizer.ClipGradNorm(1.0);
            optimizer.Step();
        }
        Assert.All(Values(used), v => Assert.True(v < 1f));
        Assert.All(Values(unused), v => Assert.Equal(0.5f, v));
        Assert.All(Values(optimizer.MasterOf("unused")), v => Assert.Equal(0.5f, v));
    }

    [Fact]
    public void LoadWithoutMastersFileNamesIt()
    {
        TorchRuntime.EnsureInitialized();
        using var scope = NewDisposeScope();
        var model = new Mlp(ScalarType.BFloat16);
        using var optimizer = new MixedPrecisionOptimizer(model.Named, 0.01);
        string path = Path.Combine(Path.GetTempPath(), $"vg-mp-missing-{Guid.NewGuid():N}");
        var error = Assert.Throws<FileNotFoundException>(() => optimizer.Load(path));
        Assert.Contains(MixedPrecisionOptimizer.MastersSuffix, error.Message);
    }
}
