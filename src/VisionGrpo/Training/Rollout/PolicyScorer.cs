using TorchSharp;
using VisionGrpo.Lora;
using VisionGrpo.Models;
using VisionGrpo.Training.Loss;
using static TorchSharp.torch;

namespace VisionGrpo.Training.Rollout;

/// <summary>
/// The scoring forward of TRL's <c>_get_per_token_logps_and_entropies</c>: prompt + completion through
/// the model, then, from the hidden states of the C positions that predict the completion tokens, the log-prob of
/// each sampled token under the temperature-scaled distribution and (without gradient) its entropy. The LM head and
/// the log-softmax run fused and blocked (<see cref="FusedTokenScores"/>): the [rows, C, vocab] logits TRL
/// materialises are never built, which is most of the scoring and backward time with a 151,936-entry vocabulary.
/// </summary>
internal static class PolicyScorer
{
    /// <summary>
    /// Log-probs [b, C] (differentiable when grad is enabled) and, when asked, entropies [b, C]. With
    /// <paramref name="dropoutKeys"/> (one per row), LoRA dropout is keyed per completion row (see
    /// <see cref="DropoutStreams"/>) — in the vision tower too, where each row's copy of its images is keyed by
    /// the row's key — else it draws from torch's generator.
    /// </summary>
    public static (Tensor Logps, Tensor? Entropies) Score(QwenVLForConditionalGeneration model, MicroBatch batch,
        double temperature, bool withEntropies, ulong[]? dropoutKeys = null)
    {
        using var scope = torch.NewDisposeScope();
        var images = dropoutKeys is not null && batch.Inputs is { PixelValues: not null, ImageGridThw: { } grid }
            ? ImageDropoutKeys.PerOwner(dropoutKeys, batch.ImageCounts, grid) : null;
        using var streams = dropoutKeys is null ? null : DropoutStreams.Use(dropoutKeys, batch.Inputs.AttentionMask!, images);
        var hidden = model.forward(batch.Inputs).LastHiddenState;
        long c = batch.CompletionIds.shape[1], length = hidden.shape[1];
        if (c + 1 > length)
            throw new ArgumentException($"the inputs hold {length} positions, fewer than completion length + 1 = {c + 1}.");
        // Position i predicts token i + 1: the C positions before the last predict the C completion tokens.
        var predicting = hidden.narrow(1, length - 1 - c, c);
        var (logps, entropies) = FusedTokenScores.Compute(predicting, model.OutputWeight, batch.CompletionIds, temperature, withEntropies);
        return (logps.to(ScalarType.Float32).MoveToOuterDisposeScope(), entropies?.to(ScalarType.Float32).MoveToOuterDisposeScope());
    }

    /// <summary>
    /// Log-probs [N, C] of every row of <paramref name="rollout"/> without gradient, <paramref name="chunk"/> rows at a
    /// time; <paramref name="dropoutKey"/> (row → key) keys the LoRA dropout per completion (see <see cref="DropoutStreams"/>).
    /// </summary>
    public static Tensor LogpsNoGrad(QwenVLForConditionalGeneration model, RolloutBatch rollout, int chunk, double temperature,
        Func<int, ulong>? dropoutKey = null)
    {
        using var noGrad = torch.no_grad();
        var parts = new List<Tensor>();
        for (int start = 0; start < rollout.Count; start += chunk)
        {
            using var scope = torch.NewDisposeScope();
            var rows = Enumerable.Range(start, Math.Min(chunk, rollout.Count - start)).ToArray();
            var micro = rollout.Slice(rows);
            // With dropoutKey, LoRA dropout is keyed per completion row (rank-independent), else torch's generator.
            var (logps, _) = Score(model, micro, temperature, withEntropies: false, dropoutKey is null ? null : rows.Select(dropoutKey).ToArray());
            parts.Add(logps.MoveToOuterDisposeScope());
        }
        var all = torch.cat(parts);
        foreach (var p in parts) p.Dispose();
        return all;
    }
}
