using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using TorchSharp;
using VisionGrpo.Models;
using VisionGrpo.Models.Qwen2;
using VisionGrpo.Tensors;
using VisionGrpo.Tests.Models;
using static TorchSharp.torch;

namespace VisionGrpo.Tests.Tensors;

/// <summary>
/// The bf16 one-row kernel behind batch-1 bf16 decode: against a float64 product of the same bf16 values (K off the
/// vector width, odd row counts, slices starting mid-weight, with and without bias), its rounding against torch's
/// float → bf16 conversion, and through <see cref="RowSplitProduct"/> at two threads (split products, the tiny
/// model's cached bf16 decode against its full forward).
/// </summary>
[Collection(GlobalRngCollection.Name)]
public sealed unsafe class Bf16RowProductTests
{
    static void* Pointer(Tensor t) => Unsafe.AsPointer(ref MemoryMarshal.GetReference(t.bytes));

    /// <summary>
    /// Asserts <paramref name="actual"/> (bf16) is within what fp32 accumulation and bf16 output rounding allow of the
    /// exact product <paramref name="w"/>·<paramref name="x"/> (+ <paramref name="bias"/>) of the bf16 values,
    /// computed in float64. The kernel sums K (+ 1) fp32 terms in its own order: the sum is within
    /// (K + 1)·2⁻²⁴·Σ|terms| of the exact one (the standard bound for any summation order), and rounding that to bf16
    /// moves it by at most half a bf16 ulp; one ulp of the larger magnitude is allowed for that.
    /// </summary>
    static void AssertWithinRounding(Tensor w, Tensor x, Tensor? bias, Tensor actual, string what)
    {
        using var scope = NewDisposeScope();
        var w64 = w.to(ScalarType.Float64);
        var x64 = x.to(ScalarType.Float64).reshape(-1);
        var exact = w64.mv(x64);
        var magnitude = w64.abs().mv(x64.abs());
        if (bias is not null) { exact += bias.to(ScalarType.Float64); magnitude += bias.to(ScalarType.Float64).abs(); }
        long k = w.shape[1];
        var accumulation = magnitude * ((k + 1) * Math.Pow(2, -24));
        var larger = exact.abs() + accumulation;
        // One bf16 ulp of |v| is 2^(⌊log2 |v|⌋ − 7) (8 significand bits); at least the smallest normal's.
        var ulp = torch.pow(2.0, torch.floor(torch.log2(larger.clamp_min(1e-30))) - 7);
        var error = (actual.to(ScalarType.Float64).reshape(-1) - exact).abs();
        var excess = error - (ulp + accumulation);
        Assert.True(excess.max().item<double>() <= 0, $"{what}: error {error.max().item<double>():G4} beyond the rounding bound");
    }

    [Theory]
    [InlineData(896, 37)]
    [InlineData(1000, 13)]
    [InlineData(33, 5)]
    [InlineData(7, 3)]
    [InlineData(64, 1)]
    public void Rows_match_the_float64_product_within_bf16_rounding(int k, int rows)
    {
        using var scope = NewDisposeScope();
        var gen = new Generator(11);
        // Slices start mid-weight: rows [from, from + rows) of a larger weight, as a split share sees them.
        const int from = 3;
        var w = randn([from + rows + 2, k], generator: gen).to(ScalarType.BFloat16);
        var x = randn([k], generator: gen).to(ScalarType.BFloat16);
        var bias = randn([from + rows + 2], generator: gen).to(ScalarType.BFloat16);
        var wide = new float[k];
        foreach (bool withBias in new[] { false, true })
        {
            var y = withBias ? bias.narrow(0, from, rows).clone() : zeros(rows, dtype: ScalarType.BFloat16);
            fixed (float* p = wide)
            {
                Bf16RowProduct.WidenInput((ushort*)Pointer(x), k, p);
                Bf16RowProduct.Rows((ushort*)Pointer(w) + (long)from * k, rows, k, p, withBias ? (ushort*)Pointer(y) : null, (ushort*)Pointer(y));
            }
            AssertWithinRounding(w.narrow(0, from, rows), x, withBias ? bias.narrow(0, from, rows) : null, y,
                $"K {k}, {rows} rows, bias {withBias}, lanes {Bf16RowProduct.Lanes}");
        }
    }

    [Fact]
    public void Rounding_to_bf16_equals_torch()
    {
        using var scope = NewDisposeScope();
        // Ties to even both ways (1 + 2⁻⁸ rounds down to 1, 1 + 3·2⁻⁸ up), just off the ties, carries into the
        // exponent, overflow to infinity, subnormals, signed zeros, infinities and NaN.
        var values = new[]
        {
            1f, 1f + MathF.Pow(2, -8), 1f + 3 * MathF.Pow(2, -8), 1f + MathF.Pow(2, -8) + MathF.Pow(2, -20),
            1.9999999f, -2.0000002f, 3.3895314e38f, float.MaxValue, 1e-40f, -1e-45f, 0f, -0f,
            float.PositiveInfinity, float.NegativeInfinity, float.NaN, 0.1f, -123.456f, 65504.5f,
        };
        var rounded = tensor(values).to(ScalarType.BFloat16);
        var torchBits = MemoryMarshal.Cast<byte, ushort>(rounded.bytes).ToArray();
        for (int i = 0; i < values.Length; i++)
        {
            ushort expected = torchBits[i];
            ushort actual = Bf16RowProduct.ToBf16(values[i]);
            if (float.IsNaN(values[i])) Assert.True(float.IsNaN(Bf16RowProduct.ToFloat(actual)));
            else Assert.Equal(expected, actual);
        }
    }

    /// <summary>Runs <paramref name="body"/> at two threads with the split floor lowered on this thread, then restores both.</summary>
    static void SplitAtTwoThreads(Action body)
    {
        TorchRuntime.EnsureInitialized();
        int before = get_num_threads();
        set_num_threads(2);
        RowSplitProduct.MinSplitBytes = 1;
        try { body(); }
        finally
        {
            RowSplitProduct.MinSplitBytes = 0;
            set_num_threads(before);
        }
    }

    [Fact]
    public void Split_bf16_products_match_the_float64_product() => SplitAtTwoThreads(() =>
    {
        using var scope = NewDisposeScope();
        using var noGrad = no_grad();
        manual_seed(12);
        // Odd row counts and K off every vector width: the shares end mid-weight and cross into the next one.
        var modules = new[] { nn.Linear(333, 501, dtype: ScalarType.BFloat16), nn.Linear(333, 7, hasBias: false, dtype: ScalarType.BFloat16), nn.Linear(333, 97, dtype: ScalarType.BFloat16) };
        var x = randn(1, 1, 333).to(ScalarType.BFloat16);
        var split = RowSplitProduct.CallAll(x, modules);
        for (int i = 0; i < modules.Length; i++)
        {
            Assert.Equal(ScalarType.BFloat16, split[i].dtype);
            Assert.Equal(new long[] { 1, 1, modules[i].weight!.shape[0] }, split[i].shape);
            AssertWithinRounding(modules[i].weight!, x, modules[i].bias, split[i], $"module {i}");
        }
        Assert.True(RowSplitProduct.Workers >= 1 || Environment.ProcessorCount < 2);
    });

    [Fact]
    public void Cached_bf16_decode_at_two_threads_matches_the_full_forward() => SplitAtTwoThreads(() =>
    {
        using var scope = NewDisposeScope();
        using var noGrad = no_grad();
        using var model = TinyFixture.Model(ScalarType.BFloat16);
        manual_seed(13);
        var ids = randint(0, 100, [1, 9], dtype: ScalarType.Int64);
        var full = model.forward(new QwenVLInputs { InputIds = ids }).Logits.to(ScalarType.Float32);
        double scale = full.abs().max().item<float>();
        using var cache = KvCache.For(model.Config.Text, 1, 9, model.DType);
        model.forward(new QwenVLInputs { InputIds = ids.narrow(1, 0, 5), Cache = cache, LogitsToKeep = LogitsToKeep.LastN(1) });
        for (int t = 5; t < 9; t++)
        {
            var step = model.forward(new QwenVLInputs { InputIds = ids.narrow(1, t, 1), Cache = cache, LogitsToKeep = LogitsToKeep.LastN(1) }).Logits;
            // Prefill (oneDNN's bf16 GEMM) and decode (this kernel) round every bf16 activation independently, so the
            // logits differ by a few bf16 ulps of their scale (2⁻⁸ ≈ 0.4 % each), not bit for bit.
            Assert.True(TinyFixture.MaxDiff(full.narrow(1, t, 1), step) < 3e-2 * scale, $"position {t}");
        }
    });
}
