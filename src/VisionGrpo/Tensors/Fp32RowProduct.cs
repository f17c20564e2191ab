using System.Numerics;
using System.Runtime.CompilerServices;

namespace VisionGrpo.Tensors;

/// <summary>
/// <c>y = W·x (+ b)</c> for fp32 <c>W</c> <c>[rows, k]</c> (row-major) and one input row, read at memory bandwidth:
/// the batch-1 decode product of fp32 models. A slice is read in <see cref="FourStreams"/>' order: four sequential
/// streams a quarter of the slice apart (rows i, i + q, i + 2q, i + 3q together), which the hardware prefetcher follows and which keep more lines in flight
/// than one stream: on the project's EPYC, over both cores, MKL's sgemv on the same slices streamed 37–46 GB/s, one
/// row after another 48–55, four far streams 54–63 (docs/benchmarks.md, "Decode: streams per thread"); neighbouring
/// rows together (a few KiB apart) were slower than one stream. <see cref="Vector{T}"/> is the machine's natural
/// width (AVX2 or AVX-512 on x64: 8 lanes, as fast as 16 here, the loop being bound by memory; NEON on arm64), so one
/// loop serves every CPU. Sums are fp32, so the result differs from MKL's in summation order only.
/// Every helper is compiled fully optimized even where the JIT declines to inline it (tier-0 <see cref="Vector{T}"/>
/// code is a call per operation), so the first decode steps run at speed too.
/// </summary>
public static unsafe class Fp32RowProduct
{
    /// <summary>
    /// <paramref name="y"/>[r] = Σ_j w[r, j] · x[j] (+ <paramref name="bias"/>[r]) for <paramref name="rows"/> rows of
    /// <paramref name="k"/> weights at <paramref name="w"/>; <paramref name="bias"/> may be null.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static void Rows(float* w, long rows, int k, float* x, float* bias, float* y) =>
        FourStreams.Rows<Dots, float>(w, rows, k, x, bias, y);

    /// <summary>fp32 weights: plain FMAs into one partial sum per row.</summary>
    readonly struct Dots : IRowDots<float>
    {
        // Rows at row, row + stride, row + 2·stride, row + 3·stride (in elements): one partial sum each covers the FMA
        // latency, four being in flight.
        [MethodImpl(MethodImplOptions.AggressiveInlining | MethodImplOptions.AggressiveOptimization)]
        public static (float, float, float, float) FourDots(float* row, long stride, int k, float* x)
        {
            int lanes = Vector<float>.Count, j = 0;
            float* r1 = row + stride, r2 = r1 + stride, r3 = r2 + stride;
            Vector<float> s0 = default, s1 = default, s2 = default, s3 = default;
            for (; j + lanes <= k; j += lanes)
            {
                var xv = Vector.Load(x + j);
                s0 = Vector.FusedMultiplyAdd(Vector.Load(row + j), xv, s0);
                s1 = Vector.FusedMultiplyAdd(Vector.Load(r1 + j), xv, s1);
                s2 = Vector.FusedMultiplyAdd(Vector.Load(r2 + j), xv, s2);
                s3 = Vector.FusedMultiplyAdd(Vector.Load(r3 + j), xv, s3);
            }
            float a0 = Vector.Sum(s0), a1 = Vector.Sum(s1), a2 = Vector.Sum(s2), a3 = Vector.Sum(s3);
            for (; j < k; j++)
            {
                a0 += row[j] * x[j];
                a1 += r1[j] * x[j];
                a2 += r2[j] * x[j];
                a3 += r3[j] * x[j];
            }
            return (a0, a1, a2, a3);
        }

        // One row (the rows past the four quarters), summed exactly as FourDots sums each of its rows, so a row's value
        // does not depend on how a split groups the rows (nor on the thread count).
        [MethodImpl(MethodImplOptions.AggressiveInlining | MethodImplOptions.AggressiveOptimization)]
        public static float Dot(float* row, int k, float* x)
        {
            int lanes = Vector<float>.Count, j = 0;
            Vector<float> s = default;
            for (; j + lanes <= k; j += lanes) s = Vector.FusedMultiplyAdd(Vector.Load(row + j), Vector.Load(x + j), s);
            float sum = Vector.Sum(s);
            for (; j < k; j++) sum += row[j] * x[j];
            return sum;
        }

        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        public static float Output(float sum, float* bias, long r) => bias == null ? sum : sum + bias[r];
    }
}
