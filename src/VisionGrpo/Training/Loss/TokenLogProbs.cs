using TorchSharp;
using static TorchSharp.torch;

namespace VisionGrpo.Training.Loss;

/// <summary>
/// Per-token log-probs and entropies of completion tokens from full-sequence logits, as TRL's
/// <c>_get_per_token_logps_and_entropies</c> (spec §3.6): drop the last position, keep the last C, divide by the
/// temperature, then <c>selective_log_softmax</c> (gather − logsumexp for fp32/fp64; log_softmax + gather for
/// bf16/fp16, where logsumexp is unstable) and the Shannon entropy in nats.
/// </summary>
public static class TokenLogProbs
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
        var scaled = CompletionLogits(logits, completionIds.shape[1], temperature);
        var index = completionIds.to(ScalarType.Int64).unsqueeze(-1);
        Tensor logps;
        if (scaled.dtype is ScalarType.Float32 or ScalarType.Float64)
            logps = scaled.gather(-1, index).squeeze(-1) - scaled.logsumexp(-1);
        else
            logps = scaled.log_softmax(-1).gather(-1, index).squeeze(-1);
        return logps.MoveToOuterDisposeScope();
    }

    /// <summary>Entropy −Σ p·log p of the temperature-scaled completion logits [B, C] (no gradient).</summary>
    public static Tensor Entropies(Tensor logits, long completionLength, double temperature)
    {
        using var scope = torch.NewDisposeScope();
        using var noGrad = torch.no_grad();
        var logp = CompletionLogits(logits.detach(), completionLength, temperature).log_softmax(-1);
        return (-(logp.exp() * logp).sum(-1)).MoveToOuterDisposeScope();
    }

    static Tensor CompletionLogits(Tensor logits, long completionLength, double temperature)
    {
        if (logits.dim() != 3) throw new ArgumentException($"logits must be [B, L, V], got [{string.Join(", ", logits.shape)}].");
        long length = logits.shape[1];
        if (completionLength + 1 > length)
            throw new ArgumentException($"logits cover {length} positions, fewer than completion length + 1 = {completionLength + 1}.");
        var kept = logits.narrow(1, length - 1 - completionLength, completionLength);
        return temperature == 1.0 ? kept : kept / temperature;
    }
}
