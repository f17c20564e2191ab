using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics;
using System.Runtime.Intrinsics.X86;

namespace VisionGrpo.Tensors;

/// <summary>
/// <c>y = W·x (+ b)</c> for bf16 <c>W</c> <c>[rows, k]</c> (row-major) and one input row, read at memory bandwidth: the
/// batch-1 decode product of bf16 models. libtorch's bf16 GEMV streams ≈ 10 GB/s here and oneDNN's one-row product
/// 16–18 GB/s (both compute-bound; docs/benchmarks.md, "Decode: the GEMV"), so bf16 weights — half the bytes of fp32 —
/// decoded no faster than fp32. A bf16 value is the top half of an fp32 one, so widening is a shift: a 32-bit lane
/// holds two weights, element 2i in its low half (<c>lane &lt;&lt; 16</c>) and 2i + 1 in its high half
/// (<c>lane &amp; 0xFFFF0000</c>). <see cref="WidenInput"/> lays <c>x</c> out to match (per block of 2L elements, the L
/// even ones and then the L odd ones, L = fp32 lanes per vector), so the loop is a load, a shift, an and and two FMAs
/// per vector of weights. Sums are fp32; the bias is added in fp32 and the result rounded to bf16 to nearest even,
/// as torch rounds.
/// </summary>
public static unsafe class Bf16RowProduct
{
    /// <summary>fp32 lanes per vector of the kernel this CPU runs: 16 (AVX-512), 8 (AVX2 + FMA) or 1 (scalar).</summary>
    public static readonly int Lanes =
        Vector512.IsHardwareAccelerated && Avx512F.IsSupported ? 16 : Vector256.IsHardwareAccelerated && Fma.IsSupported ? 8 : 1;

    /// <summary>
    /// Writes bf16 <paramref name="x"/> (<paramref name="k"/> elements) widened to fp32 into <paramref name="wide"/> in
    /// the kernel's order: whole blocks of <c>2 · <see cref="Lanes"/></c> elements as evens then odds, the tail as is.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static void WidenInput(ushort* x, int k, float* wide)
    {
        int block = 2 * Lanes, whole = k / block * block;
        for (int b = 0; b < whole; b += block)
            for (int j = 0; j < Lanes; j++)
            {
                wide[b + j] = ToFloat(x[b + 2 * j]);
                wide[b + Lanes + j] = ToFloat(x[b + 2 * j + 1]);
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
        long r = 0;
        if (Lanes == 16)
            for (; r + 4 <= rows; r += 4) Four512(w + r * k, k, x, bias == null ? null : bias + r, y + r);
        else if (Lanes == 8)
            for (; r + 4 <= rows; r += 4) Four256(w + r * k, k, x, bias == null ? null : bias + r, y + r);
        for (; r < rows; r++)
        {
            float sum = Dot(w + r * k, k, x);
            y[r] = ToBf16(bias == null ? sum : sum + ToFloat(bias[r]));
        }
    }

    // How many rows ahead the kernels prefetch (a multiple of 4: the same offset in a later group's rows). Tried on the
    // project's EPYC, 151,936 × 896 from memory on one core: none 16, 4 rows 20.5, 8 rows 20.6–22.2, 12 20.2, 16 15.6,
    // 24 19.3 GB/s.
    const long PrefetchRows = 8;

    // Four rows at once: eight independent accumulators (even and odd halves) cover the FMA latency, and the four
    // streams of weights keep enough loads in flight.
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    static void Four512(ushort* w, int k, float* x, ushort* bias, ushort* y)
    {
        const int block = 32;
        var high = Vector512.Create(0xFFFF0000u);
        Vector512<float> e0 = default, o0 = default, e1 = default, o1 = default, e2 = default, o2 = default, e3 = default, o3 = default;
        uint* w0 = (uint*)w, w1 = (uint*)(w + k), w2 = (uint*)(w + 2L * k), w3 = (uint*)(w + 3L * k);
        long ahead = PrefetchRows * (long)k / 2;
        int whole = k / block * block, j = 0;
        for (; j < whole; j += block)
        {
            var xe = Vector512.Load(x + j);
            var xo = Vector512.Load(x + j + 16);
            int lane = j / 2;
            // The next group's rows at this offset: a row is short (1.75 KiB at K = 896), so four row streams that
            // restart every group defeat the hardware prefetcher (12 GB/s from memory without this, vs ≈ 30 for a sum).
            Sse.Prefetch0(w0 + ahead + lane);
            Sse.Prefetch0(w1 + ahead + lane);
            Sse.Prefetch0(w2 + ahead + lane);
            Sse.Prefetch0(w3 + ahead + lane);
            var v = Vector512.Load(w0 + lane);
            e0 = Vector512.FusedMultiplyAdd(Vector512.ShiftLeft(v, 16).AsSingle(), xe, e0);
            o0 = Vector512.FusedMultiplyAdd((v & high).AsSingle(), xo, o0);
            v = Vector512.Load(w1 + lane);
            e1 = Vector512.FusedMultiplyAdd(Vector512.ShiftLeft(v, 16).AsSingle(), xe, e1);
            o1 = Vector512.FusedMultiplyAdd((v & high).AsSingle(), xo, o1);
            v = Vector512.Load(w2 + lane);
            e2 = Vector512.FusedMultiplyAdd(Vector512.ShiftLeft(v, 16).AsSingle(), xe, e2);
            o2 = Vector512.FusedMultiplyAdd((v & high).AsSingle(), xo, o2);
            v = Vector512.Load(w3 + lane);
            e3 = Vector512.FusedMultiplyAdd(Vector512.ShiftLeft(v, 16).AsSingle(), xe, e3);
            o3 = Vector512.FusedMultiplyAdd((v & high).AsSingle(), xo, o3);
        }
        Finish(Vector512.Sum(e0 + o0), w, k, whole, x, bias, y, 0);
        Finish(Vector512.Sum(e1 + o1), w, k, whole, x, bias, y, 1);
        Finish(Vector512.Sum(e2 + o2), w, k, whole, x, bias, y, 2);
        Finish(Vector512.Sum(e3 + o3), w, k, whole, x, bias, y, 3);
    }

    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    static void Four256(ushort* w, int k, float* x, ushort* bias, ushort* y)
    {
        const int block = 16;
        var high = Vector256.Create(0xFFFF0000u);
        Vector256<float> e0 = default, o0 = default, e1 = default, o1 = default, e2 = default, o2 = default, e3 = default, o3 = default;
        uint* w0 = (uint*)w, w1 = (uint*)(w + k), w2 = (uint*)(w + 2L * k), w3 = (uint*)(w + 3L * k);
        long ahead = PrefetchRows * (long)k / 2;
        int whole = k / block * block, j = 0;
        for (; j < whole; j += block)
        {
            var xe = Vector256.Load(x + j);
            var xo = Vector256.Load(x + j + 8);
            int lane = j / 2;
            // As in Four512; a 32-byte step touches a new line every other iteration, so alternate the rows.
            if ((j & 31) == 0) { Sse.Prefetch0(w0 + ahead + lane); Sse.Prefetch0(w1 + ahead + lane); }
            else { Sse.Prefetch0(w2 + ahead + lane); Sse.Prefetch0(w3 + ahead + lane); }
            var v = Vector256.Load(w0 + lane);
            e0 = Fma.MultiplyAdd(Vector256.ShiftLeft(v, 16).AsSingle(), xe, e0);
            o0 = Fma.MultiplyAdd((v & high).AsSingle(), xo, o0);
            v = Vector256.Load(w1 + lane);
            e1 = Fma.MultiplyAdd(Vector256.ShiftLeft(v, 16).AsSingle(), xe, e1);
            o1 = Fma.MultiplyAdd((v & high).AsSingle(), xo, o1);
            v = Vector256.Load(w2 + lane);
            e2 = Fma.MultiplyAdd(Vector256.ShiftLeft(v, 16).AsSingle(), xe, e2);
            o2 = Fma.MultiplyAdd((v & high).AsSingle(), xo, o2);
            v = Vector256.Load(w3 + lane);
            e3 = Fma.MultiplyAdd(Vector256.ShiftLeft(v, 16).AsSingle(), xe, e3);
            o3 = Fma.MultiplyAdd((v & high).AsSingle(), xo, o3);
        }
        Finish(Vector256.Sum(e0 + o0), w, k, whole, x, bias, y, 0);
        Finish(Vector256.Sum(e1 + o1), w, k, whole, x, bias, y, 1);
        Finish(Vector256.Sum(e2 + o2), w, k, whole, x, bias, y, 2);
        Finish(Vector256.Sum(e3 + o3), w, k, whole, x, bias, y, 3);
    }

    /// <summary>Adds row <paramref name="r"/>'s tail (elements past the whole blocks, in plain order) and bias, rounds, stores.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    static void Finish(float sum, ushort* w, int k, int whole, float* x, ushort* bias, ushort* y, int r)
    {
        ushort* row = w + (long)r * k;
        for (int j = whole; j < k; j++) sum += ToFloat(row[j]) * x[j];
        y[r] = ToBf16(bias == null ? sum : sum + ToFloat(bias[r]));
    }

    // One row, scalar (the rows left over from the groups of four, or a CPU without AVX2 + FMA); x in Lanes' order.
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    static float Dot(ushort* row, int k, float* x)
    {
        int block = 2 * Lanes, whole = k / block * block;
        float sum = 0;
        for (int b = 0; b < whole; b += block)
            for (int j = 0; j < Lanes; j++)
                sum += ToFloat(row[b + 2 * j]) * x[b + j] + ToFloat(row[b + 2 * j + 1]) * x[b + Lanes + j];
        for (int j = whole; j < k; j++) sum += ToFloat(row[j]) * x[j];
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
