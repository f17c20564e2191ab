using VisionGrpo.Training.Config;

namespace VisionGrpo.Training.Advantages;

/// <summary>
/// The completion-side bookkeeping of one generation batch as TRL does it: the completion mask
/// (up to and including the first EOS), truncation flags, <c>mask_truncated_completions</c>, the dapo token count
/// (<c>num_items_in_batch</c>) and the <c>num_tokens</c> / <c>completions/*</c> metrics, per TRL version.
/// </summary>
internal sealed class CompletionBatch
{
    /// <summary>Completion ids right-padded with the pad id to the longest row, [N][C].</summary>
    public required int[][] PaddedIds { get; init; }

    /// <summary>Loss/attention mask [N][C] (0/1), truncated rows zeroed when <c>mask_truncated_completions</c>.</summary>
    public required int[][] Mask { get; init; }

    /// <summary>Completion length per row as TRL logs it (tokens incl. EOS, before truncation masking).</summary>
    public required int[] Lengths { get; init; }

    /// <summary>Rows that did not terminate (0.20: no EOS anywhere; 1.9: last token is neither EOS nor pad).</summary>
    public required bool[] IsTruncated { get; init; }

    /// <summary>Σ of <see cref="Mask"/>: the dapo/cispo/vespo normaliser <c>num_items_in_batch</c> (one process).</summary>
    public required long NumItemsInBatch { get; init; }

    /// <summary>Tokens this batch adds to <c>num_input_tokens_seen</c> (prompt + completion, per version).</summary>
    public required long NumTokens { get; init; }

    /// <summary>
    /// <c>completions/mean_length</c>, <c>min_length</c>, <c>max_length</c>, <c>clipped_ratio</c>,
    /// <c>mean/min/max_terminated_length</c> in TRL's order and precision.
    /// </summary>
    public required IReadOnlyDictionary<string, double> Metrics { get; init; }

    /// <summary>
    /// Builds the batch. <paramref name="completionIds"/> are the generated tokens per row (TRL 1.9 receives them
    /// already cut after the first EOS; TRL 0.20 masks everything after the first EOS of the padded tensor).
    /// </summary>
    /// <param name="promptLengths">Real (unpadded) prompt length per row.</param>
    /// <param name="completionIds">Generated token ids per row.</param>
    /// <param name="eosTokenId">EOS id.</param>
    /// <param name="padTokenId">Pad id.</param>
    /// <param name="compat">TRL version whose rules apply.</param>
    /// <param name="maskTruncatedCompletions">Zero the mask of truncated rows.</param>
    public static CompletionBatch Build(IReadOnlyList<int> promptLengths, IReadOnlyList<IReadOnlyList<int>> completionIds,
        int eosTokenId, int padTokenId, TrlCompat compat, bool maskTruncatedCompletions)
    {
        int n = completionIds.Count;
        if (promptLengths.Count != n)
            throw new ArgumentException($"{promptLengths.Count} prompt rows but {n} completion rows.");
        int width = completionIds.Count == 0 ? 0 : completionIds.Max(c => c.Count);
        var padded = completionIds.Select(c => c.Concat(Enumerable.Repeat(padTokenId, width - c.Count)).ToArray()).ToArray();
        var mask = new int[n][];
        var lengths = new int[n];
        var truncated = new bool[n];
        for (int i = 0; i < n; i++)
        {
            mask[i] = new int[width];
            if (compat == TrlCompat.V0_20)
            {
                int eos = Array.IndexOf(padded[i], eosTokenId);
                truncated[i] = eos < 0;
                int last = eos < 0 ? width - 1 : eos;
                for (int t = 0; t <= last; t++) mask[i][t] = 1;
                lengths[i] = last + 1;
            }
            else
            {
                var ids = completionIds[i];
                truncated[i] = ids.Count > 0 && ids[^1] != eosTokenId && ids[^1] != padTokenId;
                for (int t = 0; t < ids.Count; t++) mask[i][t] = 1;
                lengths[i] = ids.Count;
            }
        }
        if (maskTruncatedCompletions)
            for (int i = 0; i < n; i++)
                if (truncated[i]) Array.Clear(mask[i]);

        long maskSum = mask.Sum(row => (long)row.Sum());
        long promptTokens = promptLengths.Sum(x => (long)x);
        // 0.20 sums the attention mask (after truncation masking); 1.9 adds raw prompt and completion lengths.
        long numTokens = compat == TrlCompat.V0_20 ? promptTokens + maskSum : promptTokens + lengths.Sum(x => (long)x);
        return new CompletionBatch
        {
            PaddedIds = padded,
            Mask = mask,
            Lengths = lengths,
            IsTruncated = truncated,
            NumItemsInBatch = maskSum,
            NumTokens = numTokens,
            Metrics = LengthMetrics(lengths, truncated, compat),
        };
    }

    static Dictionary<string, double> LengthMetrics(int[] lengths, bool[] truncated, TrlCompat compat)
    {
        var metrics = new Dictionary<string, double>();
        if (lengths.Length == 0) return metrics;
        metrics["completions/mean_length"] = Float32Mean(lengths);
        metrics["completions/min_length"] = lengths.Min();
        metrics["completions/max_length"] = lengths.Max();
        int terminatedCount = truncated.Count(t => !t);
        // 0.20 computes the ratio in Python doubles, 1.9 as a float32 mean of the flags.
        metrics["completions/clipped_ratio"] = compat == TrlCompat.V0_20
            ? 1.0 - (double)terminatedCount / lengths.Length
            : (float)((double)(lengths.Length - terminatedCount) / lengths.Length);
        var terminated = lengths.Where((_, i) => !truncated[i]).ToArray();
        if (terminated.Length == 0) terminated = new[] { 0 };
        metrics["completions/mean_terminated_length"] = Float32Mean(terminated);
        metrics["completions/min_terminated_length"] = terminated.Min();
        metrics["completions/max_terminated_length"] = terminated.Max();
        return metrics;
    }

    // torch's float32 mean of small integer counts: the sum is exact, the division is rounded to float32.
    static double Float32Mean(int[] values) => (float)((double)values.Sum(x => (long)x) / values.Length);

    /// <summary>Cuts a generated row right after its first EOS (EOS kept), as TRL does before scoring.</summary>
    public static int[] CutAfterFirstEos(IReadOnlyList<int> ids, int eosTokenId)
    {
        int eos = -1;
        for (int t = 0; t < ids.Count; t++)
            if (ids[t] == eosTokenId) { eos = t; break; }
        return (eos < 0 ? ids : ids.Take(eos + 1)).ToArray();
    }
}
