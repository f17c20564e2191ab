using static TorchSharp.torch;

namespace VisionGrpo.Training.Loss;

/// <summary>Output of <see cref="GrpoLoss.Compute"/>.</summary>
internal sealed class GrpoLossResult : IDisposable
{
    /// <summary>
    /// The scalar to back-propagate: already divided for gradient accumulation exactly as TRL + the HF Trainer do,
    /// so summing it over the GA micro-steps gives the optimizer step's loss (the Trainer's logged <c>loss</c>).
    /// </summary>
    public required Tensor Loss { get; init; }

    /// <summary>What TRL's <c>compute_loss</c> returns (0.20: not yet divided by GA; 1.9: same as <see cref="Loss"/>).</summary>
    public required double ComputeLossValue { get; init; }

    /// <summary>What the HF Trainer still divides by before <c>backward</c>: GA for 0.20 in training, else 1.</summary>
    public required double TrainerLossDivisor { get; init; }

    /// <summary>Metrics TRL appends for this micro-step (<c>kl</c>, <c>entropy</c>, <c>clip_ratio/*</c>, …).</summary>
    public required IReadOnlyDictionary<string, double> Metrics { get; init; }

    /// <summary>Disposes <see cref="Loss"/>.</summary>
    public void Dispose() => Loss.Dispose();
}
