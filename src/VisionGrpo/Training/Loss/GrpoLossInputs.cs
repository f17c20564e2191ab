using static TorchSharp.torch;

namespace VisionGrpo.Training.Loss;

/// <summary>
/// One micro-batch for <see cref="GrpoLoss.Compute"/> (B rows, T completion positions). Tensors are borrowed, not
/// disposed. Floating inputs may be float64, float32 or bf16/fp16 (the latter two are computed in float32).
/// </summary>
internal sealed class GrpoLossInputs
{
    /// <summary>Per-token log-probs of the sampled completion tokens under the current policy [B, T] (requires grad).</summary>
    public required Tensor PerTokenLogps { get; init; }

    /// <summary>Log-probs under the policy that generated the batch [B, T]; null → <c>PerTokenLogps.detach()</c> (ratio 1).</summary>
    public Tensor? OldPerTokenLogps { get; init; }

    /// <summary>Reference-model log-probs [B, T]; required when <c>beta</c> ≠ 0.</summary>
    public Tensor? RefPerTokenLogps { get; init; }

    /// <summary>Advantages [B] (or [B, T]).</summary>
    public required Tensor Advantages { get; init; }

    /// <summary>Completion (loss) mask [B, T], 0/1, any dtype.</summary>
    public required Tensor CompletionMask { get; init; }

    /// <summary>Per-token entropies [B, T]; needed for the <c>entropy</c> metric, <c>top_entropy_quantile</c> &lt; 1 and the entropy bonus.</summary>
    public Tensor? Entropies { get; init; }

    /// <summary>
    /// Data-parallel: gathers the valid-token entropies of every rank's micro-batch, so <c>top_entropy_quantile</c>
    /// takes its threshold over all of them (TRL gathers across processes); null in one process.
    /// </summary>
    public Func<Tensor, Tensor>? GatherEntropies { get; init; }

    /// <summary>Σ loss mask over the whole generation batch (dapo/cispo/vespo normaliser); null → Σ of this mask.</summary>
    public double? NumItemsInBatch { get; init; }

    /// <summary>vLLM-style importance-sampling correction [B, T] or [B, 1]; multiplies the policy loss (1.9 only).</summary>
    public Tensor? ImportanceSamplingRatio { get; init; }

    /// <summary>Log-probs of the sampler for the off-policy sequence mask; null → old log-probs.</summary>
    public Tensor? SamplingPerTokenLogps { get; init; }

    /// <summary>False in evaluation: no gradient-accumulation division (TRL's GA' = 1).</summary>
    public bool Training { get; init; } = true;
}
