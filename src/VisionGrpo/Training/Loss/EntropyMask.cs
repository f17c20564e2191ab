using TorchSharp;
using static TorchSharp.torch;

namespace VisionGrpo.Training.Loss;

/// <summary>
/// TRL's <c>get_high_entropy_mask</c>: keep valid tokens whose entropy is ≥ the (1 − ρ) quantile
/// (linear interpolation, computed in float32 like TRL) of the entropies of all valid tokens.
/// </summary>
internal static class EntropyMask
{
    /// <summary>
    /// Boolean mask [B, T]: <c>entropies·mask ≥ quantile(entropies[mask], 1 − topQuantile)</c> and <c>mask</c>.
    /// No valid token → all false.
    /// </summary>
    public static Tensor HighEntropy(Tensor entropies, Tensor mask, double topQuantile)
    {
        using var scope = torch.NewDisposeScope();
        var valid = mask.to(ScalarType.Bool);
        var values = entropies.detach().masked_select(valid).to(ScalarType.Float32);
        if (values.numel() == 0) return torch.zeros_like(valid).MoveToOuterDisposeScope();
        var q = torch.tensor(1.0 - topQuantile, ScalarType.Float32, device: values.device);
        var threshold = torch.quantile(values, q);
        var masked = entropies.detach() * mask.to(entropies.dtype);
        var compareType = masked.dtype == ScalarType.Float64 ? ScalarType.Float64 : ScalarType.Float32;
        var keep = masked.to(compareType) >= threshold.to(compareType);
        return keep.logical_and(valid).MoveToOuterDisposeScope();
    }
}
