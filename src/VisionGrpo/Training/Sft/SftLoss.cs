using TorchSharp;
using static TorchSharp.torch;

namespace VisionGrpo.Training.Sft;

/// <summary>Summed completion-token cross-entropy of a micro-batch and its greedy token hits.</summary>
/// <param name="Sum">Σ −log p(token) over masked completion tokens (differentiable scalar).</param>
/// <param name="Correct">Masked tokens whose argmax prediction is the target (<c>mean_token_accuracy</c> numerator).</param>
/// <param name="Tokens">Masked tokens (the denominator).</param>
internal sealed record SftLossResult(Tensor Sum, long Correct, long Tokens);

/// <summary>
/// Completion-only causal-LM loss: the logits at the position before each completion token are scored against it
/// (cross-entropy in fp32); prompt and padding positions contribute nothing. Summed, so the trainer can divide by
/// the completion tokens of the whole optimizer step (transformers' <c>num_items_in_batch</c>), which weighs every
/// token equally across gradient-accumulation micro-batches.
/// </summary>
internal static class SftLoss
{
    /// <summary>PyTorch's default <c>ignore_index</c>: labels with this value carry no loss.</summary>
    public const long IgnoreIndex = -100;

    /// <summary>
    /// The sequence positions whose logits predict the completion of a <c>[N, <paramref name="totalLength"/>]</c>
    /// prompt+completion batch: position t predicts token t + 1, so the C completion tokens come from positions
    /// L−C−1 … L−2 (pass them to the model as <c>LogitsToKeep.At</c> to compute only those rows of the LM head).
    /// </summary>
    public static Tensor PredictingPositions(long totalLength, long completionLength)
    {
        if (completionLength < 1 || totalLength < completionLength + 1)
            throw new ArgumentException($"a sequence of {totalLength} tokens cannot hold a prompt token and {completionLength} completion tokens.");
        return torch.arange(totalLength - 1 - completionLength, totalLength - 1, dtype: ScalarType.Int64);
    }

    /// <summary>Computes the loss.</summary>
    /// <param name="logits"><c>[N, C, V]</c> logits at the <see cref="PredictingPositions"/> (row t predicts completion token t).</param>
    /// <param name="completionIds"><c>[N, C]</c> target ids.</param>
    /// <param name="completionMask"><c>[N, C]</c> 0/1 mask (1 = scored).</param>
    /// <exception cref="ArgumentException">Shapes do not line up.</exception>
    public static SftLossResult Compute(Tensor logits, Tensor completionIds, Tensor completionMask)
    {
        if (logits.dim() != 3 || completionIds.dim() != 2 || !completionIds.shape.SequenceEqual(completionMask.shape)
            || logits.shape[0] != completionIds.shape[0] || logits.shape[1] != completionIds.shape[1])
            throw new ArgumentException(
                $"SFT loss needs logits [N, C, V] and ids/mask [N, C]; got [{string.Join(", ", logits.shape)}], [{string.Join(", ", completionIds.shape)}], [{string.Join(", ", completionMask.shape)}].");
        using var scope = torch.NewDisposeScope();
        long vocab = logits.shape[2];
        var flat = logits.to(ScalarType.Float32).reshape(-1, vocab);
        var keep = completionMask.reshape(-1).ne(0);
        var labels = completionIds.to(ScalarType.Int64).reshape(-1).masked_fill(keep.logical_not(), IgnoreIndex);
        // cross_entropy fuses log-softmax and its backward: one vocabulary-wide buffer instead of several.
        var sum = nn.functional.cross_entropy(flat, labels, ignore_index: IgnoreIndex, reduction: nn.Reduction.Sum);
        long correct, tokens;
        using (torch.no_grad())
        {
            correct = flat.detach().argmax(-1).eq(labels).sum().item<long>();
            tokens = keep.sum().item<long>();
        }
        return new SftLossResult(sum.MoveToOuterDisposeScope(), correct, tokens);
    }
}
