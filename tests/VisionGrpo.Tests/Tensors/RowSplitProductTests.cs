using TorchSharp;
using VisionGrpo.Lora;
using VisionGrpo.Models;
using VisionGrpo.Models.Qwen2;
using VisionGrpo.Tensors;
using VisionGrpo.Tests.Models;
using static TorchSharp.torch;

namespace VisionGrpo.Tests.Tensors;

/// <summary>
/// The batch-1 decode products: row-split GEMVs over two threads equal <c>module.call</c>; every other call (grad,
/// several rows, LoRA-hooked modules) is <c>module.call</c> itself; a one-row step runs libtorch on one thread and
/// restores the count; and KV-cache decode of the tiny model at two threads matches its full forward.
/// </summary>
[Collection(GlobalRngCollection.Name)]
public sealed class RowSplitProductTests
{
    /// <summary>Runs <paramref name="body"/> with libtorch at two threads (the split needs a second one), then restores.</summary>
    static void AtTwoThreads(Action body)
    {
        TorchRuntime.EnsureInitialized();
        int before = get_num_threads();
        set_num_threads(2);
        try { body(); }
        finally { set_num_threads(before); }
    }

    [Theory]
    [InlineData(ScalarType.Float32, 1e-5)]
    [InlineData(ScalarType.BFloat16, 2e-2)]
    public void Split_products_equal_the_modules(ScalarType dtype, double tolerance) => AtTwoThreads(() =>
    {
        using var scope = NewDisposeScope();
        using var noGrad = no_grad();
        manual_seed(4);
        // Row counts off the 32-row alignment, so shares end mid-weight and cross from one weight into the next; big
        // enough (> 1 MiB together and alone) to be split at all.
        var modules = new[] { nn.Linear(512, 1000, dtype: dtype), nn.Linear(512, 37, hasBias: false, dtype: dtype), nn.Linear(512, 2600, dtype: dtype) };
        foreach (var shape in new long[][] { [1, 1, 512], [1, 512], [512] })
        {
            var x = randn(shape).to(dtype);
            var split = RowSplitProduct.CallAll(x, modules);
            for (int i = 0; i < modules.Length; i++)
            {
                var expected = modules[i].call(x);
                Assert.Equal(expected.shape, split[i].shape);
                double scale = expected.to(ScalarType.Float64).abs().max().item<double>();
                Assert.True(TinyFixture.MaxDiff(expected, split[i]) <= tolerance * scale, $"module {i}, input [{string.Join(", ", shape)}]");
            }
            var alone = RowSplitProduct.Call(modules[2], x);
            Assert.Equal(0, TinyFixture.MaxDiff(split[2], alone), 6);
        }
        Assert.True(RowSplitProduct.Workers >= 1 || Environment.ProcessorCount < 2);
    });

    [Fact]
    public unsafe void Tensor_memory_is_read_directly_and_leaves_the_thread_count_alone() => AtTwoThreads(() =>
    {
        using var scope = NewDisposeScope();
        var t = arange(10, dtype: ScalarType.Float32);
        // The first use looks up LibTorchSharp's export; it once reset the thread count to the environment's.
        Assert.Equal(3f, ((float*)TensorMemory.Pointer(t))[3]);
        Assert.Equal(2, get_num_threads());
        Assert.True(TensorMemory.Direct, "THSTensor_data not found: one-row kernels pay ≈ 1 µs per tensor through TorchSharp's span");
        Assert.Throws<ArgumentException>(() => TensorMemory.Pointer(t.view(2, 5).t()));
    });

    [Fact]
    public void Other_calls_are_the_module_call() => AtTwoThreads(() =>
    {
        using var scope = NewDisposeScope();
        manual_seed(5);
        var linear = nn.Linear(16, 64);
        var one = randn(1, 1, 16);
        // Grad enabled: the module's own autograd path.
        var withGrad = RowSplitProduct.Call(linear, one);
        Assert.True(withGrad.requires_grad);
        using var noGrad = no_grad();
        // Several rows (prefill, batched decode): bit-equal to the module.
        var rows = randn(3, 2, 16);
        Assert.Equal(0, (RowSplitProduct.Call(linear, rows) - linear.call(rows)).abs().max().item<float>());
        // fp16 (no managed kernel): the module call, bit for bit, even above the split floor.
        var half = nn.Linear(512, 1024, dtype: ScalarType.Float16);
        var x16 = randn(1, 1, 512).to(ScalarType.Float16);
        Assert.Equal(0, (RowSplitProduct.Call(half, x16) - half.call(x16)).abs().max().to(ScalarType.Float32).item<float>());
    });

    [Fact]
    public void A_lora_hooked_module_keeps_its_adapter() => AtTwoThreads(() =>
    {
        using var scope = NewDisposeScope();
        using var noGrad = no_grad();
        manual_seed(6);
        var linear = nn.Linear(512, 1024);
        var x = randn(1, 1, 512);
        var plain = RowSplitProduct.Call(linear, x);
        using (var lora = new LoraLayer("model.layers.0.self_attn.q_proj", linear, new LoraConfig
        {
            R = 4, LoraAlpha = 8, InitLoraWeights = "false", TargetModules = LoraTargetModules.FromNames(["q_proj"]),
        }))
        {
            var adapted = RowSplitProduct.Call(linear, x);
            Assert.Equal(0, TinyFixture.MaxDiff(adapted, linear.call(x)), 6);
            Assert.True(TinyFixture.MaxDiff(adapted, plain) > 1e-3, "the adapter's update is missing");
        }
        // Adapter removed: the fast path again, equal to the plain product.
        Assert.Equal(0, TinyFixture.MaxDiff(RowSplitProduct.Call(linear, x), plain), 5);
    });

    [Fact]
    public void A_one_row_step_runs_libtorch_on_one_thread_and_restores_the_count() => AtTwoThreads(() =>
    {
        using var scope = NewDisposeScope();
        using var noGrad = no_grad();
        using (RowSplitProduct.EnterOneRowStep(zeros(1, 1, 8)))
            Assert.Equal(1, get_num_threads());
        Assert.Equal(2, get_num_threads());
        using (RowSplitProduct.EnterOneRowStep(zeros(1, 3, 8)))
            Assert.Equal(2, get_num_threads());
        // fp16 has no managed kernel (its products stay module calls): its step keeps both threads.
        using (RowSplitProduct.EnterOneRowStep(zeros([1, 1, 8], dtype: ScalarType.Float16)))
            Assert.Equal(2, get_num_threads());
    });

    [Fact]
    public void Cached_decode_at_two_threads_matches_the_full_forward() => AtTwoThreads(() =>
    {
        using var scope = NewDisposeScope();
        using var noGrad = no_grad();
        using var model = TinyFixture.Model();
        manual_seed(7);
        var ids = randint(0, 100, [1, 9], dtype: ScalarType.Int64);
        var full = model.forward(new QwenVLInputs { InputIds = ids }).Logits;
        using var cache = KvCache.For(model.Config.Text, 1, 9, model.DType);
        model.forward(new QwenVLInputs { InputIds = ids.narrow(1, 0, 5), Cache = cache, LogitsToKeep = LogitsToKeep.LastN(1) });
        for (int t = 5; t < 9; t++)
        {
            var step = model.forward(new QwenVLInputs { InputIds = ids.narrow(1, t, 1), Cache = cache, LogitsToKeep = LogitsToKeep.LastN(1) }).Logits;
            Assert.True(TinyFixture.MaxDiff(full.narrow(1, t, 1), step) < 1e-4, $"position {t}");
        }
    });
}
