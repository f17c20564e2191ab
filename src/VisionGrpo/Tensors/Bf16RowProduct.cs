using System.Numerics;
using System.Runtime.CompilerServices;

namespace VisionGrpo.Tensors;

/// <summary>
/// <c>y = W·x (+ b)</c> for bf16 <c>W</c> <c>[rows, k]</c> (row-major) and one input row, read at memory bandwidth: the
/// batch-1 decode product of bf16 models. libtorch's bf16 GEMV streams ≈ 10 GB/s here and oneDNN's one-row product
/// 16–18 GB/s (both compute-bound; docs/benchmarks.md, "Decode: the GEMV"), so bf16 weights — half the bytes of fp32 —
/// decoded no faster than fp32. A bf16 value is the top half of an fp32 one, so widening is a shift: a 32-bit lane
/// holds two weights, element 2i in its low half (<c>lane &lt;&lt; 16</c>) and 2i + 1 in its high half
/// (<c>lane &amp; 0xFFFF0000</c>). <see cref="WidenInput"/> lays <c>x</c> out to match (per block of 2L elements, the L
/// even ones and then the L odd ones, L = <see cref="Lanes"/>), so the loop is a load, a shift, an and and two FMAs per
/// vector of weights. Rows run one at a time, front to back: a thread's share of W is one sequential stream, which the
/// hardware prefetcher follows (four interleaved row streams, the first version, read 20–29 GB/s even with software
/// prefetch; one stream 48–53 over both cores). Sums are fp32; the bias is added in fp32 and the result rounded to
/// bf16 to nearest even, as torch rounds.
/// </summary>
public static unsafe class Bf16RowProduct
{
    /// <summary>fp32 lanes per vector (<see cref="Vector{T}"/>'s width: 8 with AVX2 or AVX-512, 4 with SSE or NEON).</summary>
    public static int Lanes => Vector<float>.Count;

    /// <summary>
    /// Writes bf16 <paramref name="x"/> (<paramref name="k"/> elements) widened to fp32 into <paramref name="wide"/> in
    /// the kernel's order: whole blocks of <c>2 · <see cref="Lanes"/></c> elements as evens then odds, the tail as is.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static void WidenInput(ushort* x, int k, float* wide)
    {
        int lanes = Lanes, block = 2 * lanes, whole = k / block * block;
        for (int b = 0; b < whole; b += block)
            for (int j = 0; j < lanes; j++)
            {
                wide[b + j] = ToFloat(x[b + 2 * j]);
                wide[b + lanes + j] = ToFloat(x[b + 2 * j + 1]);
            }
        for (int i = whole; i < k; i++) wide[i] = ToFloat(x[i]);
    }

    /// <summary>
    /// <paramref name="y"/>[r] = bf16(Σ_j w[r, j] · x[j] (+ <paramref name="bias"/>[r])) for <paramref name="rows"/> rows
    /// of <paramref name="k"/> bf16 weights at <paramref name="w"/>, with <paramref name="x"/> from <see cref="WidenInput"/>.
    /// <paramref name="bias"/> (bf16, may be null) may be <paramref name="y"/> itself (an output preset to the bias).
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static void Rows(ushort* w, long rows, int k, float* x, ushort* bias, ushort* y)
    {
        for (long r = 0; r < rows; r++)
        {
            float sum = Dot(w + r * k, k, x);
            y[r] = ToBf16(bias == null ? sum : sum + ToFloat(bias[r]));
        }
    }

    // Two vectors of weights per step with their even and odd halves summed apart: four independent partial sums
    // cover the FMA latency. The tail past the whole blocks is scalar, in plain order.
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    static float Dot(ushort* row, int k, float* x)
    {
        int lanes = Lanes, block = 2 * lanes, whole = k / block * block, j = 0;
        var high = new Vector<uint>(0xFFFF0000u);
        uint* pairs = (uint*)row;
        Vector<float> e0 = default, o0 = default, e1 = default, o1 = default;
        for (; j + 2 * block <= whole; j += 2 * block)
        {
            var v = Vector.Load(pairs + j / 2);
            e0 = Vector.FusedMultiplyAdd(Vector.AsVectorSingle(Vector.ShiftLeft(v, 16)), Vector.Load(x + j), e0);
            o0 = Vector.FusedMultiplyAdd(Vector.AsVectorSingle(v & high), Vector.Load(x + j + lanes), o0);
            v = Vector.Load(pairs + j / 2 + lanes);
            e1 = Vector.FusedMultiplyAdd(Vector.AsVectorSingle(Vector.ShiftLeft(v, 16)), Vector.Load(x + j + block), e1);
            o1 = Vector.FusedMultiplyAdd(Vector.AsVectorSingle(v & high), Vector.Load(x + j + block + lanes), o1);
        }
        if (j < whole)
        {
            var v = Vector.Load(pairs + j / 2);
            e0 = Vector.FusedMultiplyAdd(Vector.AsVectorSingle(Vector.ShiftLeft(v, 16)), Vector.Load(x + j), e0);
            o0 = Vector.FusedMultiplyAdd(Vector.AsVectorSingle(v & high), Vector.Load(x + j + lanes), o0);
            j += block;
        }
        float sum = Vector.Sum((e0 + o0) + (e1 + o1));
        for (; j < k; j++) sum += ToFloat(row[j]) * x[j];
        return sum;
    }

    /// <summary>The fp32 value of bf16 bits <paramref name="bits"/> (exact).</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static float ToFloat(ushort bits) => BitConverter.UInt32BitsToSingle((uint)bits << 16);

    /// <summary>
    /// <paramref name="value"/> rounded to bf16 to nearest, ties to even, as torch's <c>c10::BFloat16</c> rounds; NaN
    /// becomes torch's quiet NaN 0x7FC0.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static ushort ToBf16(float value)
    {
        if (float.IsNaN(value)) return 0x7FC0;
        uint bits = BitConverter.SingleToUInt32Bits(value);
        return (ushort)((bits + 0x7FFFu + ((bits >> 16) & 1)) >> 16);
    }
}
