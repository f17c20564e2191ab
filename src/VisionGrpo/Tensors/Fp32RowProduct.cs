using System.Numerics;
using System.Runtime.CompilerServices;

namespace VisionGrpo.Tensors;

/// <summary>
/// <c>y = W·x (+ b)</c> for fp32 <c>W</c> <c>[rows, k]</c> (row-major) and one input row, read at memory bandwidth:
/// the batch-1 decode product of fp32 models. One row at a time, front to back, so a thread's share of W is one
/// sequential stream the hardware prefetcher follows; MKL's sgemv on the same slices streamed 37–46 GB/s over both
/// cores of the project's EPYC against 48–54 for this loop (docs/benchmarks.md, "Decode: one stream per thread").
/// <see cref="Vector{T}"/> is the machine's natural width (AVX2 or AVX-512 on x64: 8 lanes, as fast as 16 here,
/// the loop being bound by memory; NEON on arm64), so one loop serves every CPU. Sums are fp32 in four partial sums
/// per row, so the result differs from MKL's in summation order only.
/// </summary>
public static unsafe class Fp32RowProduct
{
    /// <summary>
    /// <paramref name="y"/>[r] = Σ_j w[r, j] · x[j] (+ <paramref name="bias"/>[r]) for <paramref name="rows"/> rows of
    /// <paramref name="k"/> weights at <paramref name="w"/>; <paramref name="bias"/> may be null.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static void Rows(float* w, long rows, int k, float* x, float* bias, float* y)
    {
        for (long r = 0; r < rows; r++)
        {
            float sum = Dot(w + r * k, k, x);
            y[r] = bias == null ? sum : sum + bias[r];
        }
    }

    // Four independent partial sums cover the FMA latency; the tail past the last whole vector is scalar.
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    static float Dot(float* row, int k, float* x)
    {
        int lanes = Vector<float>.Count, j = 0;
        Vector<float> s0 = default, s1 = default, s2 = default, s3 = default;
        for (; j + 4 * lanes <= k; j += 4 * lanes)
        {
            s0 = Vector.FusedMultiplyAdd(Vector.Load(row + j), Vector.Load(x + j), s0);
            s1 = Vector.FusedMultiplyAdd(Vector.Load(row + j + lanes), Vector.Load(x + j + lanes), s1);
            s2 = Vector.FusedMultiplyAdd(Vector.Load(row + j + 2 * lanes), Vector.Load(x + j + 2 * lanes), s2);
            s3 = Vector.FusedMultiplyAdd(Vector.Load(row + j + 3 * lanes), Vector.Load(x + j + 3 * lanes), s3);
        }
        for (; j + lanes <= k; j += lanes) s0 = Vector.FusedMultiplyAdd(Vector.Load(row + j), Vector.Load(x + j), s0);
        float sum = Vector.Sum((s0 + s1) + (s2 + s3));
        for (; j < k; j++) sum += row[j] * x[j];
        return sum;
    }
}
