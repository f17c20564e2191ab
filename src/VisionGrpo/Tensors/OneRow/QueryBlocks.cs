using System.Numerics;
using System.Runtime.CompilerServices;

namespace VisionGrpo.Tensors.OneRow;

/// <summary>
/// The two products of decode attention for four query heads at once (the heads sharing one KV head come in a
/// group): each key or value is loaded once for the four, and the accumulators stay in registers. One query at a
/// time, the 1,024-slot attention of a 0.5B decode step took 4.9 ms (fp32) and 4.6 ms (bf16), more than SDPA; four at
/// a time 4.3 and 3.0 ms (one run each, docs/benchmarks.md, "Decode: the one-row ops").
/// </summary>
internal static unsafe class QueryBlocks
{
    static int Lanes => Vector<float>.Count;

    /// <summary>
    /// <c>scores[r] = (q_r · key) · scale</c> for the four rows <c>q_r = queries + r·d</c>, written to
    /// <c>scores + r·stride</c>. fp32 sums.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static void Dot4(float* queries, int d, float* key, float scale, float* scores, int stride)
    {
        Vector<float> a0 = default, a1 = default, a2 = default, a3 = default;
        float* q0 = queries, q1 = queries + d, q2 = queries + 2 * d, q3 = queries + 3 * d;
        int k = 0;
        for (; k + Lanes <= d; k += Lanes)
        {
            var kv = Vector.Load(key + k);
            a0 = Vector.FusedMultiplyAdd(Vector.Load(q0 + k), kv, a0);
            a1 = Vector.FusedMultiplyAdd(Vector.Load(q1 + k), kv, a1);
            a2 = Vector.FusedMultiplyAdd(Vector.Load(q2 + k), kv, a2);
            a3 = Vector.FusedMultiplyAdd(Vector.Load(q3 + k), kv, a3);
        }
        float s0 = Vector.Sum(a0), s1 = Vector.Sum(a1), s2 = Vector.Sum(a2), s3 = Vector.Sum(a3);
        for (; k < d; k++)
        {
            s0 += q0[k] * key[k];
            s1 += q1[k] * key[k];
            s2 += q2[k] * key[k];
            s3 += q3[k] * key[k];
        }
        scores[0] = s0 * scale;
        scores[stride] = s1 * scale;
        scores[2 * stride] = s2 * scale;
        scores[3 * stride] = s3 * scale;
    }

    /// <summary>
    /// <c>output_r = Σ_j weights_r[j] · value_j</c> for four rows (weights <c>weights + r·keys</c>, outputs
    /// <c>output + r·d</c>) over the <paramref name="keys"/> values at <paramref name="values"/> (<c>[keys, d]</c>, fp32
    /// or bf16), skipping masked slots. The head dimension goes in chunks of two vectors: eight accumulators, each
    /// value chunk loaded (and for bf16 widened) once for the four rows.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static void WeightedSum4(float* weights, int keys, byte* values, bool bf16, byte* mask, int d, float* output)
    {
        float* w0 = weights, w1 = weights + keys, w2 = weights + 2 * keys, w3 = weights + 3 * keys;
        int size = bf16 ? 2 : 4, chunk = 2 * Lanes, c = 0;
        for (; c + chunk <= d; c += chunk)
        {
            Vector<float> a0 = default, b0 = default, a1 = default, b1 = default, a2 = default, b2 = default, a3 = default, b3 = default;
            byte* at = values + (long)c * size;
            for (int j = 0; j < keys; j++, at += (long)d * size)
            {
                if (mask != null && mask[j] == 0) continue;
                Vector<float> low, high;
                if (bf16)
                {
                    Vector.Widen(Vector.Load((ushort*)at), out Vector<uint> l, out Vector<uint> h);
                    low = Vector.AsVectorSingle(l << 16);
                    high = Vector.AsVectorSingle(h << 16);
                }
                else
                {
                    low = Vector.Load((float*)at);
                    high = Vector.Load((float*)at + Lanes);
                }
                var p = new Vector<float>(w0[j]);
                a0 = Vector.FusedMultiplyAdd(p, low, a0);
                b0 = Vector.FusedMultiplyAdd(p, high, b0);
                p = new Vector<float>(w1[j]);
                a1 = Vector.FusedMultiplyAdd(p, low, a1);
                b1 = Vector.FusedMultiplyAdd(p, high, b1);
                p = new Vector<float>(w2[j]);
                a2 = Vector.FusedMultiplyAdd(p, low, a2);
                b2 = Vector.FusedMultiplyAdd(p, high, b2);
                p = new Vector<float>(w3[j]);
                a3 = Vector.FusedMultiplyAdd(p, low, a3);
                b3 = Vector.FusedMultiplyAdd(p, high, b3);
            }
            Vector.Store(a0, output + c);
            Vector.Store(b0, output + c + Lanes);
            Vector.Store(a1, output + d + c);
            Vector.Store(b1, output + d + c + Lanes);
            Vector.Store(a2, output + 2 * d + c);
            Vector.Store(b2, output + 2 * d + c + Lanes);
            Vector.Store(a3, output + 3 * d + c);
            Vector.Store(b3, output + 3 * d + c + Lanes);
        }
        // A head dimension that is not a whole number of chunks: the rest element by element.
        for (; c < d; c++)
        {
            float s0 = 0, s1 = 0, s2 = 0, s3 = 0;
            byte* at = values + (long)c * size;
            for (int j = 0; j < keys; j++, at += (long)d * size)
            {
                if (mask != null && mask[j] == 0) continue;
                float v = bf16 ? Bf16RowProduct.ToFloat(*(ushort*)at) : *(float*)at;
                s0 += w0[j] * v;
                s1 += w1[j] * v;
                s2 += w2[j] * v;
                s3 += w3[j] * v;
            }
            output[c] = s0;
            output[d + c] = s1;
            output[2 * d + c] = s2;
            output[3 * d + c] = s3;
        }
    }
}
