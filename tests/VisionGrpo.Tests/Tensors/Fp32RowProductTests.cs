using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using TorchSharp;
using VisionGrpo.Tensors;
using static TorchSharp.torch;

namespace VisionGrpo.Tests.Tensors;

/// <summary>
/// The fp32 one-row kernel behind batch-1 fp32 decode, against a float64 product of the same values: K off the vector
/// width (and below it), odd row counts, slices starting mid-weight, with and without bias.
/// </summary>
public sealed unsafe class Fp32RowProductTests
{
    static float* Pointer(Tensor t) => (float*)Unsafe.AsPointer(ref MemoryMarshal.GetReference(t.bytes));

    [Theory]
    [InlineData(896, 37)]
    [InlineData(4864, 5)]
    [InlineData(1000, 13)]
    [InlineData(33, 5)]
    [InlineData(7, 3)]
    [InlineData(64, 1)]
    public void Rows_match_the_float64_product_within_fp32_accumulation(int k, int rows)
    {
        using var scope = NewDisposeScope();
        var gen = new Generator(21);
        // Slices start mid-weight: rows [from, from + rows) of a larger weight, as a split share sees them.
        const int from = 3;
        var w = randn([from + rows + 2, k], generator: gen);
        var x = randn([k], generator: gen);
        var bias = randn([from + rows + 2], generator: gen);
        foreach (bool withBias in new[] { false, true })
        {
            var y = full(rows, float.NaN);
            Fp32RowProduct.Rows(Pointer(w) + (long)from * k, rows, k, Pointer(x), withBias ? Pointer(bias) + from : null, Pointer(y));
            var w64 = w.narrow(0, from, rows).to(ScalarType.Float64);
            var x64 = x.to(ScalarType.Float64);
            var exact = w64.mv(x64);
            var magnitude = w64.abs().mv(x64.abs());
            if (withBias) { exact += bias.narrow(0, from, rows).to(ScalarType.Float64); magnitude += bias.narrow(0, from, rows).to(ScalarType.Float64).abs(); }
            // Any summation order of K + 1 fp32 terms is within (K + 1)·2⁻²⁴·Σ|terms| of the exact sum.
            var bound = magnitude * ((k + 1) * Math.Pow(2, -24));
            var excess = (y.to(ScalarType.Float64) - exact).abs() - bound;
            Assert.True(excess.max().item<double>() <= 0, $"K {k}, {rows} rows, bias {withBias}, lanes {System.Numerics.Vector<float>.Count}");
        }
    }
}
