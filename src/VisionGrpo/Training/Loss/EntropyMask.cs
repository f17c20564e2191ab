using TorchSharp;
using static TorchSharp.torch;

namespace VisionGrpo.Training.Loss;

/// <summary>
/// TRL's <c>get_high_entropy_mask</c>: keep valid tokens whose entropy is ≥ the (1 − ρ) quantile
/// (linear interpolation, computed in float32 like TRL) of the entropies of all valid tokens — with several
/// processes, of every process's micro-batch, as TRL gathers them before taking the quantile.
/// </summary>
internal static class EntropyMask
{
    /// <summary>
    /// Boolean mask [B, T]: <c>entropies·mask ≥ quantile(entropies[mask], 1 − topQuantile)</c> and <c>mask</c>.
    /// No valid token (on any rank) → all false.
    /// </summary>
    /// <param name="entropies">Per-token entropies [B, T].</param>
    /// <param name="mask">Valid tokens [B, T].</param>
    /// <param name="topQuantile">ρ: the share of highest-entropy tokens kept.</param>
    /// <param name="gather">
    /// With several ranks: the valid-token entropies (float32, 1-D) of every rank, from this rank's; every rank
    /// calls it, even with no valid token. Null: this micro-batch's alone.
    /// </param>
    public static Tensor HighEntropy(Tensor entropies, Tensor mask, double topQuantile, Func<Tensor, Tensor>? gather = null)
    {
        using var scope = torch.NewDisposeScope();
        var valid = mask.to(ScalarType.Bool);
        var values = entropies.detach().masked_select(valid).to(ScalarType.Float32);
        if (gather is not null) values = gather(values);
        if (values.numel() == 0) return torch.zeros_like(valid).MoveToOuterDisposeScope();
        var q = torch.tensor(1.0 - topQuantile, ScalarType.Float32, device: values.device);
        var threshold = torch.quantile(values, q);
        var masked = entropies.detach() * mask.to(entropies.dtype);
        var compareType = masked.dtype == ScalarType.Float64 ? ScalarType.Float64 : ScalarType.Float32;
        var keep = masked.to(compareType) >= threshold.to(compareType);
        return keep.logical_and(valid).MoveToOuterDisposeScope();
    }
}
