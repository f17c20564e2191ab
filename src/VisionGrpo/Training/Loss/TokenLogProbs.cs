using TorchSharp;
using VisionGrpo.Generation;
using static TorchSharp.torch;

namespace VisionGrpo.Training.Loss;

/// <summary>
/// Per-token log-probs and entropies of completion tokens from full-sequence logits, as TRL's
/// <c>_get_per_token_logps_and_entropies</c>: drop the last position, keep the last C, divide by the
/// temperature, then <c>selective_log_softmax</c> (gather − logsumexp for fp32/fp64; log_softmax + gather for
/// bf16/fp16, where logsumexp is unstable) and the Shannon entropy in nats.
/// </summary>
internal static class TokenLogProbs
{
    /// <summary>
    /// Log-prob of each completion token [B, C] (differentiable w.r.t. <paramref name="logits"/>).
    /// </summary>
    /// <param name="logits">[B, P+C, V] logits of prompt+completion (or at least the last C+1 positions).</param>
    /// <param name="completionIds">[B, C] completion token ids (int64).</param>
    /// <param name="temperature">Sampling temperature (logits are divided by it).</param>
    public static Tensor PerTokenLogps(Tensor logits, Tensor completionIds, double temperature)
    {
        using var scope = torch.NewDisposeScope();
        var kept = CompletionLogits(logits, completionIds.shape[1]);
        var index = completionIds.to(ScalarType.Int64).unsqueeze(-1);
        // One row at a time, like TRL, so the temperature-scaled copy of the vocabulary-wide logits stays small.
        var rows = new List<Tensor>();
        for (long b = 0; b < kept.shape[0]; b++)
        {
            var row = LogitsProcessing.Scale(kept[b], temperature);
            var rowIndex = index[b];
            rows.Add(row.dtype is ScalarType.Float32 or ScalarType.Float64
                ? row.gather(-1, rowIndex).squeeze(-1) - row.logsumexp(-1)
                : row.log_softmax(-1).gather(-1, rowIndex).squeeze(-1));
        }
        return torch.stack(rows).MoveToOuterDisposeScope();
    }

    /// <summary>Entropy −Σ p·log p of the temperature-scaled completion logits [B, C] (no gradient), 128 positions at a time.</summary>
    public static Tensor Entropies(Tensor logits, long completionLength, double temperature)
    {
        using var scope = torch.NewDisposeScope();
        using var noGrad = torch.no_grad();
        var kept = CompletionLogits(logits.detach(), completionLength);
        var flat = kept.reshape(-1, kept.shape[2]);
        var chunks = new List<Tensor>();
        for (long start = 0; start < flat.shape[0]; start += 128)
        {
            var logp = LogitsProcessing.Scale(flat.narrow(0, start, Math.Min(128, flat.shape[0] - start)), temperature).log_softmax(-1);
            chunks.Add(-(logp.exp() * logp).sum(-1));
        }
        var result = chunks.Count == 0 ? torch.zeros(kept.shape[0], completionLength, dtype: kept.dtype) : torch.cat(chunks).reshape(kept.shape[0], completionLength);
        return result.MoveToOuterDisposeScope();
    }

    static Tensor CompletionLogits(Tensor logits, long completionLength)
    {
        if (logits.dim() != 3) throw new ArgumentException($"logits must be [B, L, V], got [{string.Join(", ", logits.shape)}].");
        long length = logits.shape[1];
        if (completionLength + 1 > length)
            throw new ArgumentException($"logits cover {length} positions, fewer than completion length + 1 = {completionLength + 1}.");
        return logits.narrow(1, length - 1 - completionLength, completionLength);
    }
}
