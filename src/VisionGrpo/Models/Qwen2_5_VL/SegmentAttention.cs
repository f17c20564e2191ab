using TorchSharp;
using static TorchSharp.torch;

namespace VisionGrpo.Models.Qwen2_5_VL;

/// <summary>
/// Non-causal attention restricted to contiguous segments of one packed sequence (transformers' <c>cu_seqlens</c>).
/// Segments of equal length are gathered into one batch and run through a single
/// <c>scaled_dot_product_attention</c> call, so no mask is needed and no work is spent on padding; windows have at
/// most a handful of distinct lengths, and full-attention segments are whole frames.
/// </summary>
internal static class SegmentAttention
{
    /// <summary>
    /// Attends <paramref name="q"/>, <paramref name="k"/>, <paramref name="v"/> (<c>[S, heads, head_dim]</c>) inside
    /// the segments <c>[cu[i], cu[i+1])</c>; returns <c>[S, heads·head_dim]</c> (heads concatenated head-major).
    /// Scale is head_dim^-0.5 (SDPA's default, the value transformers uses).
    /// </summary>
    public static Tensor Attend(Tensor q, Tensor k, Tensor v, IReadOnlyList<int> cu)
    {
        long s = q.shape[0], heads = q.shape[1], headDim = q.shape[2];
        if (cu.Count < 2 || cu[0] != 0 || cu[^1] != s)
            throw new ArgumentException($"segment boundaries must run from 0 to the sequence length {s}, got [{string.Join(", ", cu)}].", nameof(cu));
        using var scope = NewDisposeScope();
        var groups = new SortedDictionary<int, List<int>>();
        for (int i = 0; i + 1 < cu.Count; i++)
        {
            int length = cu[i + 1] - cu[i];
            if (length < 0) throw new ArgumentException($"segment boundaries must not decrease: [{string.Join(", ", cu)}].", nameof(cu));
            if (length == 0) continue;
            if (!groups.TryGetValue(length, out var starts)) groups[length] = starts = [];
            starts.Add(cu[i]);
        }

        if (groups.Count == 1)
        {
            // All segments have one length and tile the sequence in order: a plain view, no gathers.
            int length = groups.Keys.First();
            return Batched(q, k, v, s / length, length).reshape(s, heads * headDim).MoveToOuterDisposeScope();
        }

        var pieces = new List<Tensor>();
        var order = new long[s];
        int filled = 0;
        foreach (var (length, starts) in groups)
        {
            var rows = new long[starts.Count * length];
            for (int i = 0; i < starts.Count; i++)
                for (int j = 0; j < length; j++) rows[i * length + j] = starts[i] + j;
            var index = tensor(rows, device: q.device);
            pieces.Add(Batched(q.index_select(0, index), k.index_select(0, index), v.index_select(0, index), starts.Count, length)
                .reshape(rows.Length, heads * headDim));
            foreach (long r in rows) order[r] = filled++;
        }
        // order[r] = where row r landed in the concatenation; gather it back into sequence order.
        return cat(pieces, 0).index_select(0, tensor(order, device: q.device)).MoveToOuterDisposeScope();
    }

    /// <summary>Runs <c>n</c> equal segments of <c>length</c> rows (rows contiguous per segment); returns <c>[n·length, heads, head_dim]</c>.</summary>
    static Tensor Batched(Tensor q, Tensor k, Tensor v, long n, long length)
    {
        long heads = q.shape[1], headDim = q.shape[2];
        Tensor Split(Tensor x) => x.reshape(n, length, heads, headDim).transpose(1, 2);
        var o = nn.functional.scaled_dot_product_attention(Split(q), Split(k), Split(v));
        return o.transpose(1, 2).reshape(n * length, heads, headDim);
    }
}
