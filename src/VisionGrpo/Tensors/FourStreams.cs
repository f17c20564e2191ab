using System.Runtime.CompilerServices;

namespace VisionGrpo.Tensors;

/// <summary>
/// A row kernel's arithmetic for weights of element type <typeparamref name="T"/>: four rows' dot products at once,
/// one row's (summed exactly as each of the four), and the stored output.
/// </summary>
internal unsafe interface IRowDots<T> where T : unmanaged
{
    /// <summary>Dot products of x with the rows at <paramref name="row"/> + 0, 1, 2, 3 × <paramref name="stride"/> elements.</summary>
    static abstract (float, float, float, float) FourDots(T* row, long stride, int k, float* x);

    /// <summary>One row's dot product with x, in the same order as each row of <see cref="FourDots"/>.</summary>
    static abstract float Dot(T* row, int k, float* x);

    /// <summary>The output element for <paramref name="sum"/> plus bias element <paramref name="r"/> (none when <paramref name="bias"/> is null).</summary>
    static abstract T Output(float sum, T* bias, long r);
}

/// <summary>
/// The order in which the one-row kernels (<see cref="Fp32RowProduct"/>, <see cref="Bf16RowProduct"/>) read a thread's
/// slice of W: four sequential streams a quarter of the slice apart (rows i, i + q, i + 2q, i + 3q together), then the
/// rows left over one by one. Rows a few KiB apart look like one broken stream to the hardware prefetcher; one stream
/// per core is followed, and four far-apart ones keep more lines in flight (docs/benchmarks.md, "Decode: streams per
/// thread").
/// </summary>
internal static unsafe class FourStreams
{
    /// <summary>
    /// <paramref name="y"/>[r] = <typeparamref name="TDots"/>' output of row r of <paramref name="w"/> (<paramref name="rows"/>
    /// × <paramref name="k"/>) dotted with <paramref name="x"/>, plus <paramref name="bias"/>[r] when given.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static void Rows<TDots, T>(T* w, long rows, int k, float* x, T* bias, T* y)
        where TDots : struct, IRowDots<T> where T : unmanaged
    {
        long quarter = rows / 4, stride = quarter * k;
        for (long r = 0; r < quarter; r++)
        {
            var (s0, s1, s2, s3) = TDots.FourDots(w + r * k, stride, k, x);
            y[r] = TDots.Output(s0, bias, r);
            y[r + quarter] = TDots.Output(s1, bias, r + quarter);
            y[r + 2 * quarter] = TDots.Output(s2, bias, r + 2 * quarter);
            y[r + 3 * quarter] = TDots.Output(s3, bias, r + 3 * quarter);
        }
        for (long r = 4 * quarter; r < rows; r++) y[r] = TDots.Output(TDots.Dot(w + r * k, k, x), bias, r);
    }
}
