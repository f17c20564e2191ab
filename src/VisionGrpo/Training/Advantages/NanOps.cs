using TorchSharp;
using static TorchSharp.torch;

namespace VisionGrpo.Training.Advantages;

/// <summary>
/// NaN-ignoring reductions with TRL's exact op order (so float32 results match TRL's bit for bit):
/// <c>nansum</c>, <c>nanmean</c> = nansum / count, and TRL's <c>nanstd</c> (Bessel via n/(n−1), NaN when n &lt; 2).
/// </summary>
internal static class NanOps
{
    /// <summary>Sum treating NaN as 0 (torch.nansum); <paramref name="dim"/> null reduces everything.</summary>
    public static Tensor NanSum(Tensor x, long? dim = null, bool keepdim = false)
    {
        var zeroed = torch.where(x.isnan(), torch.zeros_like(x), x);
        return dim is { } d ? zeroed.sum(d, keepdim) : zeroed.sum();
    }

    /// <summary>Number of non-NaN entries (int64, like torch).</summary>
    public static Tensor Count(Tensor x, long? dim = null, bool keepdim = false)
    {
        var valid = x.isnan().logical_not();
        return dim is { } d ? valid.sum(d, keepdim) : valid.sum();
    }

    /// <summary>torch.nanmean: nansum divided by the count of non-NaN values (NaN when there are none).</summary>
    public static Tensor NanMean(Tensor x, long? dim = null, bool keepdim = false) =>
        NanSum(x, dim, keepdim).div(Count(x, dim, keepdim));

    /// <summary>
    /// TRL's <c>nanstd</c>: sqrt(nanmean((x − nanmean(x))²) · n/(n−1)), NaN when fewer than two values are valid.
    /// </summary>
    public static Tensor NanStd(Tensor x, long? dim = null, bool keepdim = false)
    {
        var mean = NanMean(x, dim, keepdim: true);
        var variance = NanMean((x - mean).square(), dim, keepdim: true);
        var count = Count(x, dim, keepdim: true);
        // count / (count − 1) is a true division of int64 tensors → default float dtype, as in TRL.
        var correction = count.to(ScalarType.Float32) / (count - 1).to(ScalarType.Float32);
        correction = torch.where(count > 1, correction, torch.full_like(correction, double.NaN));
        var std = (variance * correction.to(variance.dtype)).sqrt();
        return keepdim ? std : dim is { } d ? std.squeeze(d) : std.reshape(Array.Empty<long>());
    }

    /// <summary>torch.isclose(x, 0) with default tolerances: |x| ≤ 1e-8 (NaN is not close).</summary>
    public static Tensor IsCloseToZero(Tensor x) => x.abs() <= 1e-8;
}
