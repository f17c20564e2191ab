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
/// vector of weights. A slice is read in <see cref="FourStreams"/>' order, four sequential streams a quarter of the
/// slice apart, as <see cref="Fp32RowProduct"/> reads it: the first version's four neighbouring rows read 20–29 GB/s
/// over both cores even with software prefetch, one row after another 44–53, four far streams 49–63
/// (docs/benchmarks.md, "Decode: streams per thread"). Sums are fp32; the bias is added in fp32 and the result rounded
/// to bf16 to nearest even, as torch rounds.
/// Every helper is compiled fully optimized even where the JIT declines to inline it (tier-0 <see cref="Vector{T}"/>
/// code is a call per operation), so the first decode steps run at speed too.
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
    public static void Rows(ushort* w, long rows, int k, float* x, ushort* bias, ushort* y) =>
        FourStreams.Rows<Dots, ushort>(w, rows, k, x, bias, y);

    /// <summary>bf16 weights widened by shift and mask, even and odd halves summed apart, outputs rounded to bf16.</summary>
    readonly struct Dots : IRowDots<ushort>
    {
        // Rows at row, row + stride, row + 2·stride, row + 3·stride (in elements), a vector of weight pairs per step each,
        // even and odd halves summed apart: eight partial sums in flight cover the FMA latency.
        [MethodImpl(MethodImplOptions.AggressiveInlining | MethodImplOptions.AggressiveOptimization)]
        public static (float, float, float, float) FourDots(ushort* row, long stride, int k, float* x)
        {
            int lanes = Lanes, block = 2 * lanes, whole = k / block * block, j = 0;
            var high = new Vector<uint>(0xFFFF0000u);
            uint* p0 = (uint*)row, p1 = (uint*)(row + stride), p2 = (uint*)(row + 2 * stride), p3 = (uint*)(row + 3 * stride);
            Vector<float> e0 = default, o0 = default, e1 = default, o1 = default, e2 = default, o2 = default, e3 = default, o3 = default;
            for (; j < whole; j += block)
            {
                var xe = Vector.Load(x + j);
                var xo = Vector.Load(x + j + lanes);
                int pair = j / 2;
                var v = Vector.Load(p0 + pair);
                e0 = Vector.FusedMultiplyAdd(Vector.AsVectorSingle(Vector.ShiftLeft(v, 16)), xe, e0);
                o0 = Vector.FusedMultiplyAdd(Vector.AsVectorSingle(v & high), xo, o0);
                v = Vector.Load(p1 + pair);
                e1 = Vector.FusedMultiplyAdd(Vector.AsVectorSingle(Vector.ShiftLeft(v, 16)), xe, e1);
                o1 = Vector.FusedMultiplyAdd(Vector.AsVectorSingle(v & high), xo, o1);
                v = Vector.Load(p2 + pair);
                e2 = Vector.FusedMultiplyAdd(Vector.AsVectorSingle(Vector.ShiftLeft(v, 16)), xe, e2);
                o2 = Vector.FusedMultiplyAdd(Vector.AsVectorSingle(v & high), xo, o2);
                v = Vector.Load(p3 + pair);
                e3 = Vector.FusedMultiplyAdd(Vector.AsVectorSingle(Vector.ShiftLeft(v, 16)), xe, e3);
                o3 = Vector.FusedMultiplyAdd(Vector.AsVectorSingle(v & high), xo, o3);
            }
            return (Tail(Vector.Sum(e0 + o0), row, whole, k, x), Tail(Vector.Sum(e1 + o1), row + stride, whole, k, x),
                Tail(Vector.Sum(e2 + o2), row + 2 * stride, whole, k, x), Tail(Vector.Sum(e3 + o3), row + 3 * stride, whole, k, x));
        }

        // One row (the rows past the four quarters), summed exactly as FourDots sums each of its rows, so a row's value
        // does not depend on how a split groups the rows (nor on the thread count).
        [MethodImpl(MethodImplOptions.AggressiveInlining | MethodImplOptions.AggressiveOptimization)]
        public static float Dot(ushort* row, int k, float* x)
        {
            int lanes = Lanes, block = 2 * lanes, whole = k / block * block;
            var high = new Vector<uint>(0xFFFF0000u);
            uint* pairs = (uint*)row;
            Vector<float> e = default, o = default;
            for (int j = 0; j < whole; j += block)
            {
                var v = Vector.Load(pairs + j / 2);
                e = Vector.FusedMultiplyAdd(Vector.AsVectorSingle(Vector.ShiftLeft(v, 16)), Vector.Load(x + j), e);
                o = Vector.FusedMultiplyAdd(Vector.AsVectorSingle(v & high), Vector.Load(x + j + lanes), o);
            }
            return Tail(Vector.Sum(e + o), row, whole, k, x);
        }

        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        public static ushort Output(float sum, ushort* bias, long r) => ToBf16(bias == null ? sum : sum + ToFloat(bias[r]));
    }

    /// <summary><paramref name="sum"/> plus the row's elements past the whole blocks (scalar, in plain order).</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining | MethodImplOptions.AggressiveOptimization)]
    static float Tail(float sum, ushort* row, int from, int k, float* x)
    {
        for (int j = from; j < k; j++) sum += ToFloat(row[j]) * x[j];
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
