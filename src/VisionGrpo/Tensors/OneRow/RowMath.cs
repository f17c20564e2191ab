using System.Numerics;
using System.Runtime.CompilerServices;

namespace VisionGrpo.Tensors.OneRow;

/// <summary>
/// The element math of one-row inference over raw memory: conversion between the tensor dtype (fp32 or bf16) and
/// fp32 working rows, and the decoder's elementwise ops on those rows. One code path on <see cref="Vector{T}"/>
/// (256-bit on AVX2 and AVX-512 machines, software elsewhere); a scalar loop finishes what is left of a row.
/// <para>
/// bf16 follows torch: every op computes in fp32 and rounds its output to bf16 (nearest, ties to even), so each op
/// here rounds where the module's torch op does (<c>bf16</c> = true); for fp32 rows the rounding is the identity.
/// No multiply-add is fused (RyuJIT does not contract), so fp32 products and sums round as torch's separate ops do.
/// </para>
/// </summary>
internal static unsafe class RowMath
{
    static int Lanes => Vector<float>.Count;

    /// <summary>Reads <paramref name="n"/> elements (fp32, or bf16 when <paramref name="bf16"/>) at <paramref name="src"/> into fp32 <paramref name="dst"/>.</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static void Widen(void* src, bool bf16, float* dst, int n)
    {
        if (!bf16)
        {
            Buffer.MemoryCopy(src, dst, n * 4L, n * 4L);
            return;
        }
        ushort* s = (ushort*)src;
        int i = 0, block = 2 * Lanes;
        // A bf16 value is the top half of an fp32 one: zero-extend each 16-bit lane and shift it up.
        for (; i + block <= n; i += block)
        {
            Vector.Widen(Vector.Load(s + i), out Vector<uint> low, out Vector<uint> high);
            Vector.Store(Vector.AsVectorSingle(low << 16), dst + i);
            Vector.Store(Vector.AsVectorSingle(high << 16), dst + i + Lanes);
        }
        for (; i < n; i++) dst[i] = Bf16RowProduct.ToFloat(s[i]);
    }

    /// <summary>Writes fp32 <paramref name="src"/> to <paramref name="dst"/> as fp32, or as bf16 rounded to nearest even.</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static void Narrow(float* src, bool bf16, void* dst, int n)
    {
        if (!bf16)
        {
            Buffer.MemoryCopy(src, dst, n * 4L, n * 4L);
            return;
        }
        ushort* d = (ushort*)dst;
        int i = 0, block = 2 * Lanes;
        for (; i + block <= n; i += block)
        {
            var low = Vector.AsVectorUInt32(Round(Vector.Load(src + i), true)) >> 16;
            var high = Vector.AsVectorUInt32(Round(Vector.Load(src + i + Lanes), true)) >> 16;
            Vector.Store(Vector.Narrow(low, high), d + i);
        }
        for (; i < n; i++) d[i] = Bf16RowProduct.ToBf16(src[i]);
    }

    /// <summary><paramref name="v"/> rounded to bf16 (kept as fp32) when <paramref name="bf16"/>, as <see cref="Bf16RowProduct.ToBf16"/> rounds; else itself.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector<float> Round(Vector<float> v, bool bf16)
    {
        if (!bf16) return v;
        var bits = Vector.AsVectorUInt32(v);
        var rounded = (bits + new Vector<uint>(0x7FFF) + ((bits >> 16) & Vector<uint>.One)) & new Vector<uint>(0xFFFF0000);
        // NaN stays NaN (torch's quiet 0x7FC0); the carry above could otherwise turn it into infinity.
        return Vector.ConditionalSelect(Vector.Equals(v, v), Vector.AsVectorSingle(rounded), new Vector<float>(float.NaN));
    }

    /// <summary>The scalar of <see cref="Round(Vector{float}, bool)"/>.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static float Round(float v, bool bf16) => bf16 ? Bf16RowProduct.ToFloat(Bf16RowProduct.ToBf16(v)) : v;

    /// <summary><c>a[i] = a[i] + b[i]</c>, rounded (torch's <c>add</c>).</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static void Add(float* a, float* b, int n, bool bf16)
    {
        int i = 0;
        for (; i + Lanes <= n; i += Lanes) Vector.Store(Round(Vector.Load(a + i) + Vector.Load(b + i), bf16), a + i);
        for (; i < n; i++) a[i] = Round(a[i] + b[i], bf16);
    }

    /// <summary>
    /// <c>gate[i] = silu(gate[i]) · up[i]</c> with torch's two roundings (<c>silu</c>'s output, then the product's);
    /// silu is <c>x / (1 + exp(−x))</c> as torch's CPU kernel writes it. exp is .NET's, within an ulp of torch's.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static void SiluMul(float* gate, float* up, int n, bool bf16)
    {
        int i = 0;
        var one = Vector<float>.One;
        for (; i + Lanes <= n; i += Lanes)
        {
            var g = Vector.Load(gate + i);
            var silu = Round(g / (one + Vector.Exp(-g)), bf16);
            Vector.Store(Round(silu * Vector.Load(up + i), bf16), gate + i);
        }
        for (; i < n; i++)
        {
            float g = gate[i];
            gate[i] = Round(Round(g / (1 + MathF.Exp(-g)), bf16) * up[i], bf16);
        }
    }

    /// <summary>
    /// RMSNorm of one row in place, as <c>Qwen2RMSNorm</c>'s torch ops: fp32 mean of squares, <c>1 / sqrt(mean + eps)</c>
    /// (torch's <c>rsqrt</c>), <c>x · r</c> rounded to the dtype, then <c>weight · that</c> rounded again.
    /// The sum runs in fp64 over the fp32 squares, so it is the correctly rounded sum torch's cascade sum nearly always
    /// reaches: the fp32 path agrees with torch to an ulp of the scale, bf16 nearly always bit for bit.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static void RmsNorm(float* x, float* weight, int n, float eps, bool bf16)
    {
        int i = 0;
        var sum = Vector<double>.Zero;
        for (; i + Lanes <= n; i += Lanes)
        {
            var v = Vector.Load(x + i);
            Vector.Widen(v * v, out Vector<double> low, out Vector<double> high);
            sum += low + high;
        }
        double total = Vector.Sum(sum);
        for (; i < n; i++) total += x[i] * x[i];
        float r = 1f / MathF.Sqrt((float)total / n + eps);
        var scale = new Vector<float>(r);
        for (i = 0; i + Lanes <= n; i += Lanes)
            Vector.Store(Round(Vector.Load(weight + i) * Round(Vector.Load(x + i) * scale, bf16), bf16), x + i);
        for (; i < n; i++) x[i] = Round(weight[i] * Round(x[i] * r, bf16), bf16);
    }

    /// <summary>
    /// Rotary embedding of one head in place: <c>x·cos + rotate_half(x)·sin</c> with <c>rotate_half(x) = [−x₂, x₁]</c>,
    /// each product and the sum rounded as torch's three ops round them.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static void Rope(float* x, float* cos, float* sin, int dim, bool bf16)
    {
        int half = dim / 2, i = 0;
        for (; i + Lanes <= half; i += Lanes)
        {
            var x1 = Vector.Load(x + i);
            var x2 = Vector.Load(x + half + i);
            var first = Round(x1 * Vector.Load(cos + i), bf16) + Round(-x2 * Vector.Load(sin + i), bf16);
            var second = Round(x2 * Vector.Load(cos + half + i), bf16) + Round(x1 * Vector.Load(sin + half + i), bf16);
            Vector.Store(Round(first, bf16), x + i);
            Vector.Store(Round(second, bf16), x + half + i);
        }
        for (; i < half; i++)
        {
            float x1 = x[i], x2 = x[half + i];
            x[i] = Round(Round(x1 * cos[i], bf16) + Round(-x2 * sin[i], bf16), bf16);
            x[half + i] = Round(Round(x2 * cos[half + i], bf16) + Round(x1 * sin[half + i], bf16), bf16);
        }
    }

    /// <summary><c>x[i] *= factor</c>.</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static void Scale(float* x, float factor, int n)
    {
        int i = 0;
        var f = new Vector<float>(factor);
        for (; i + Lanes <= n; i += Lanes) Vector.Store(Vector.Load(x + i) * f, x + i);
        for (; i < n; i++) x[i] *= factor;
    }

    /// <summary>
    /// Softmax numerators in place: <c>s[i] = exp(s[i] − max s)</c> (−∞ for a masked slot gives 0), returning their
    /// fp32 sum, the denominator. For bf16 each numerator is then rounded to bf16, as SDPA's CPU kernel rounds the
    /// weights it multiplies the bf16 values by (its denominator stays the fp32 sum). All slots −∞: zeros, sum 0.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static float SoftmaxNumerators(float* s, int n, bool bf16)
    {
        int i = 0;
        var highest = new Vector<float>(float.NegativeInfinity);
        for (; i + Lanes <= n; i += Lanes) highest = Vector.Max(highest, Vector.Load(s + i));
        float max = float.NegativeInfinity;
        for (int l = 0; l < Lanes; l++) max = MathF.Max(max, highest[l]);
        for (; i < n; i++) max = MathF.Max(max, s[i]);
        if (float.IsNegativeInfinity(max))
        {
            new Span<float>(s, n).Clear();
            return 0;
        }
        var shift = new Vector<float>(max);
        var sums = Vector<float>.Zero;
        for (i = 0; i + Lanes <= n; i += Lanes)
        {
            var e = Vector.Exp(Vector.Load(s + i) - shift);
            sums += e;
            Vector.Store(Round(e, bf16), s + i);
        }
        float sum = Vector.Sum(sums);
        for (; i < n; i++)
        {
            float e = MathF.Exp(s[i] - max);
            sum += e;
            s[i] = Round(e, bf16);
        }
        return sum;
    }
}
