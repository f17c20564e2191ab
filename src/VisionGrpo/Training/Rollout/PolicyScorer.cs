using TorchSharp;
using VisionGrpo.Models;
using VisionGrpo.Training.Loss;
using static TorchSharp.torch;

namespace VisionGrpo.Training.Rollout;

/// <summary>
/// The scoring forward of TRL's <c>_get_per_token_logps_and_entropies</c>: prompt + completion through
/// the model, LM-head logits only for the last C+1 positions, divided by the sampling temperature, then the log-prob
/// of each sampled completion token and (without gradient) its entropy.
/// </summary>
internal static class PolicyScorer
{
    /// <summary>Log-probs [b, C] (differentiable when grad is enabled) and, when asked, entropies [b, C].</summary>
    public static (Tensor Logps, Tensor? Entropies) Score(QwenVLForConditionalGeneration model, MicroBatch batch,
        double temperature, bool withEntropies)
    {
        using var scope = torch.NewDisposeScope();
        var logits = model.forward(batch.Inputs).Logits;
        long c = batch.CompletionIds.shape[1];
        var logps = TokenLogProbs.PerTokenLogps(logits, batch.CompletionIds, temperature).to(ScalarType.Float32);
        var entropies = withEntropies ? TokenLogProbs.Entropies(logits, c, temperature).to(ScalarType.Float32) : null;
        return (logps.MoveToOuterDisposeScope(), entropies?.MoveToOuterDisposeScope());
    }

    /// <summary>
    /// Log-probs [N, C] of every row of <paramref name="rollout"/> without gradient, <paramref name="chunk"/> rows at a
    /// time; <paramref name="dropoutKey"/> (row → key) keys the LoRA dropout per completion (see <see cref="Lora.DropoutStreams"/>).
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
            using var streams = dropoutKey is null ? null : Lora.DropoutStreams.Use(rows.Select(dropoutKey).ToArray(), micro.Inputs.AttentionMask!);
            var (logps, _) = Score(model, micro, temperature, withEntropies: false);
            parts.Add(logps.MoveToOuterDisposeScope());
        }
        var all = torch.cat(parts);
        foreach (var p in parts) p.Dispose();
        return all;
    }
}
