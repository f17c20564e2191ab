using TorchSharp;
using static TorchSharp.torch;

namespace VisionGrpo.Training.Sft;

/// <summary>Summed completion-token cross-entropy of a micro-batch and its greedy token hits.</summary>
/// <param name="Sum">Σ −log p(token) over masked completion tokens (differentiable scalar).</param>
/// <param name="Correct">Masked tokens whose argmax prediction is the target (<c>mean_token_accuracy</c> numerator).</param>
/// <param name="Tokens">Masked tokens (the denominator).</param>
public sealed record SftLossResult(Tensor Sum, long Correct, long Tokens);

/// <summary>
/// Completion-only causal-LM loss: the logits at the position before each completion token are scored against it
/// (cross-entropy in fp32), prompt and padding positions contribute nothing. Summed, so the trainer can divide by
/// the completion tokens of the whole optimizer step (transformers' <c>num_items_in_batch</c>), which weighs every
/// token equally across gradient-accumulation micro-batches.
/// </summary>
public static class SftLoss
{
    /// <summary>Computes the loss.</summary>
    /// <param name="logits"><c>[N, L, V]</c> logits whose last C+1 positions cover the completion (L ≥ C+1).</param>
    /// <param name="completionIds"><c>[N, C]</c> target ids.</param>
    /// <param name="completionMask"><c>[N, C]</c> 0/1 mask (1 = scored).</param>
    /// <exception cref="ArgumentException">Shapes do not line up.</exception>
    public static SftLossResult Compute(Tensor logits, Tensor completionIds, Tensor completionMask)
    {
        if (logits.dim() != 3 || completionIds.dim() != 2 || !completionIds.shape.SequenceEqual(completionMask.shape))
            throw new ArgumentException(
                $"SFT loss needs logits [N, L, V] and ids/mask [N, C]; got [{string.Join(", ", logits.shape)}], [{string.Join(", ", completionIds.shape)}], [{string.Join(", ", completionMask.shape)}].");
        long n = completionIds.shape[0], c = completionIds.shape[1], length = logits.shape[1];
        if (logits.shape[0] != n || length < c + 1)
            throw new ArgumentException($"logits [{string.Join(", ", logits.shape)}] do not cover {n} rows of {c} completion tokens plus the position before them.");
        using var scope = torch.NewDisposeScope();
        // Position t predicts token t + 1: the completion's C tokens are predicted by positions L-C-1 .. L-2.
        var predicting = logits.narrow(1, length - 1 - c, c).to(ScalarType.Float32);
        var targets = completionIds.to(ScalarType.Int64).unsqueeze(-1);
        var nll = predicting.logsumexp(-1) - predicting.gather(-1, targets).squeeze(-1);
        var mask = completionMask.to(ScalarType.Float32);
        var sum = (nll * mask).sum();
        long correct, tokens;
        using (torch.no_grad())
        {
            var hits = predicting.argmax(-1).eq(completionIds.to(ScalarType.Int64)).to(ScalarType.Float32) * mask;
            correct = (long)Math.Round(hits.sum().item<float>());
            tokens = (long)Math.Round(mask.sum().item<float>());
        }
        return new SftLossResult(sum.MoveToOuterDisposeScope(), correct, tokens);
    }
}
