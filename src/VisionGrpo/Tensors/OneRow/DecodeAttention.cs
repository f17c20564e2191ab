using System.Runtime.CompilerServices;
using TorchSharp;
using static TorchSharp.torch;

namespace VisionGrpo.Tensors.OneRow;

/// <summary>Head counts and size of a decoder's attention (grouped-query: <c>Heads</c> a multiple of <c>KvHeads</c>).</summary>
public readonly record struct HeadLayout(int Heads, int KvHeads, int HeadDim);

/// <summary>
/// One layer's slice of a batch-1 KV cache, as raw memory: <c>[kv_heads, Capacity, head_dim]</c> keys and values of
/// the attention's dtype, and the slot this step writes (<see cref="Length"/>: slots filled before it).
/// </summary>
internal readonly unsafe record struct CacheLayer(nint Keys, nint Values, int Capacity, int Length);

/// <summary>
/// Self-attention of one query token over a layer's KV cache (batch-1 decode), after the q/k/v products and before
/// <c>o_proj</c>: the optional per-head q/k RMSNorm (Qwen3), RoPE on q and k, the write of this step's key and value
/// into the cache, and per query head <c>softmax(q·Kᵀ/√d + mask)·V</c> — in place of ≈ 40 libtorch ops (views,
/// transposes, RoPE, the cache writes, SDPA) per layer. Query head h reads KV head <c>h / (Heads / KvHeads)</c>; the
/// query heads of one KV head go together, so each cached key and value is read once per KV head.
/// <para>
/// Numerics: q and k are normed and rotated with torch's roundings (<see cref="RowMath"/>), so the cached key is the
/// general path's bit for bit. Scores, softmax and the weighted sum run in fp32 in another summation order than
/// SDPA's kernel (fp32: ≤ 3e-6 of the output's scale at 700 slots); for bf16 the softmax weights are rounded to bf16
/// before they multiply the values and the denominator stays the fp32 sum, as SDPA's CPU kernel does: bit for bit at
/// a few slots, and at 700 slots (SDPA works in blocks of keys) 1–3 % of the outputs off by one bf16 ulp of the scale.
/// </para>
/// </summary>
internal static unsafe class DecodeAttention
{
    /// <summary>
    /// Runs the attention of one token and returns its output <c>[..., Heads·HeadDim]</c>, written into
    /// <paramref name="q"/>'s memory (a fresh projection output the caller owns). <paramref name="q"/>,
    /// <paramref name="k"/>, <paramref name="v"/> are the projections' rows; <paramref name="cos"/>/<paramref name="sin"/>
    /// this position's rotary tables (<c>HeadDim</c> elements); <paramref name="allowed"/> the bool key mask over slots
    /// <c>0 … Length</c> (null: every slot).
    /// </summary>
    public static Tensor Run(HeadLayout layout, Tensor q, Tensor k, Tensor v, Tensor cos, Tensor sin,
        Tensor? qNorm, Tensor? kNorm, double eps, CacheLayer cache, Tensor? allowed)
    {
        int d = layout.HeadDim, group = layout.Heads / layout.KvHeads, keys = cache.Length + 1;
        Check(q, layout.Heads * d, "q");
        Check(k, layout.KvHeads * d, "k");
        Check(v, layout.KvHeads * d, "v");
        Check(cos, d, "cos");
        Check(sin, d, "sin");
        if (qNorm is not null) Check(qNorm, d, "q_norm");
        if (kNorm is not null) Check(kNorm, d, "k_norm");
        if (allowed is not null && (allowed.numel() != keys || allowed.dtype != ScalarType.Bool || !allowed.is_contiguous()))
            throw new ArgumentException($"decode attention: key mask of {allowed.numel()} {allowed.dtype} for {keys} cache slots");
        bool bf16 = q.dtype == ScalarType.BFloat16;
        int size = bf16 ? 2 : 4;

        using var tables = new Scratch(5 * d);
        float* c = tables[0], s = tables[d], qn = tables[2 * d], kn = tables[3 * d], row = tables[4 * d];
        RowMath.Widen(TensorMemory.Pointer(cos), bf16, c, d);
        RowMath.Widen(TensorMemory.Pointer(sin), bf16, s, d);
        if (qNorm is not null) RowMath.Widen(TensorMemory.Pointer(qNorm), bf16, qn, d);
        if (kNorm is not null) RowMath.Widen(TensorMemory.Pointer(kNorm), bf16, kn, d);
        float normEps = (float)eps;

        // This step's slot: the key as the general path caches it (normed, rotated, in the dtype), the value as is.
        byte* kIn = (byte*)TensorMemory.Pointer(k), vIn = (byte*)TensorMemory.Pointer(v);
        long slot = (long)cache.Length * d * size, headStride = (long)cache.Capacity * d * size;
        for (int g = 0; g < layout.KvHeads; g++)
        {
            RowMath.Widen(kIn + (long)g * d * size, bf16, row, d);
            if (kNorm is not null) RowMath.RmsNorm(row, kn, d, normEps, bf16);
            RowMath.Rope(row, c, s, d, bf16);
            RowMath.Narrow(row, bf16, (byte*)cache.Keys + g * headStride + slot, d);
            Buffer.MemoryCopy(vIn + (long)g * d * size, (byte*)cache.Values + g * headStride + slot, d * size, d * size);
        }

        byte* qIo = (byte*)TensorMemory.Pointer(q);
        byte* mask = allowed is null ? null : (byte*)TensorMemory.Pointer(allowed);
        int rows = Padded(group);
        using var work = new Scratch(2 * rows * d + rows * keys);
        float* queries = work[0], output = work[rows * d], weights = work[2 * rows * d];
        new Span<float>(queries, rows * d).Clear();
        for (int g = 0; g < layout.KvHeads; g++)
        {
            for (int i = 0; i < group; i++)
            {
                float* query = queries + i * d;
                RowMath.Widen(qIo + (long)(g * group + i) * d * size, bf16, query, d);
                if (qNorm is not null) RowMath.RmsNorm(query, qn, d, normEps, bf16);
                RowMath.Rope(query, c, s, d, bf16);
            }
            var heads = new GroupRows(queries, output, weights, group, d, keys);
            Attend(heads, (byte*)cache.Keys + g * headStride, (byte*)cache.Values + g * headStride, mask, row, bf16);
            // The group's query rows are in the scratch, so its output can overwrite them in q.
            RowMath.Narrow(output, bf16, qIo + (long)g * group * d * size, group * d);
        }
        return q;
    }

    /// <summary>The working rows of one KV head's query group: queries, outputs (<c>group × d</c>), weights (<c>group × keys</c>).</summary>
    readonly struct GroupRows(float* queries, float* output, float* weights, int group, int dim, int keys)
    {
        public readonly float* Queries = queries, Output = output, Weights = weights;
        public readonly int Group = group, Dim = dim, Keys = keys;
    }

    /// <summary>
    /// <c>Output = softmax(Queries·Kᵀ·scale, masked)·V</c> for one KV head's <paramref name="keys"/> and
    /// <paramref name="values"/> (<c>[Keys, Dim]</c> of the dtype at those addresses; <paramref name="row"/>: a Dim-float
    /// scratch for a bf16 key or value widened).
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    static void Attend(GroupRows g, byte* keys, byte* values, byte* mask, float* row, bool bf16)
    {
        int d = g.Dim, size = bf16 ? 2 : 4, rows = Padded(g.Group);
        float scale = (float)(1.0 / Math.Sqrt(d));
        for (int j = 0; j < g.Keys; j++)
        {
            if (mask != null && mask[j] == 0)
            {
                for (int i = 0; i < g.Group; i++) g.Weights[i * g.Keys + j] = float.NegativeInfinity;
                continue;
            }
            float* key = Row(keys + (long)j * d * size, bf16, row, d);
            for (int i = 0; i < rows; i += 4) QueryBlocks.Dot4(g.Queries + i * d, d, key, scale, g.Weights + i * g.Keys + j, g.Keys);
        }
        var reciprocal = stackalloc float[g.Group];
        for (int i = 0; i < g.Group; i++)
        {
            float sum = RowMath.SoftmaxNumerators(g.Weights + i * g.Keys, g.Keys, bf16);
            // Every slot masked (no key to attend to): an output of zeros rather than SDPA's 0/0.
            reciprocal[i] = sum == 0 ? 0 : 1 / sum;
        }
        for (int i = 0; i < rows; i += 4) QueryBlocks.WeightedSum4(g.Weights + i * g.Keys, g.Keys, values, bf16, mask, d, g.Output + i * d);
        for (int i = 0; i < g.Group; i++) RowMath.Scale(g.Output + i * d, reciprocal[i], d);
    }

    /// <summary>
    /// <paramref name="group"/> rounded up to whole blocks of four query rows (<see cref="QueryBlocks"/>); the rows past
    /// the group are zero queries whose results are dropped.
    /// </summary>
    static int Padded(int group) => (group + 3) & ~3;

    /// <summary>A cached row as fp32: the memory itself for fp32, else widened into <paramref name="row"/>.</summary>
    static float* Row(byte* at, bool bf16, float* row, int d)
    {
        if (!bf16) return (float*)at;
        RowMath.Widen(at, true, row, d);
        return row;
    }

    static void Check(Tensor t, long elements, string name)
    {
        if (t.numel() != elements)
            throw new ArgumentException($"decode attention: {name} has {t.numel()} elements, expected {elements}");
    }
}
