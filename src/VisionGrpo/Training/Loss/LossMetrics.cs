using TorchSharp;
using VisionGrpo.Training.Config;
using static TorchSharp.torch;

namespace VisionGrpo.Training.Loss;

/// <summary>
/// The metrics <c>_compute_loss</c> appends (one process): token-weighted means of KL, entropy and the clip
/// indicators (plain means over sequences at sequence level), clip indicators in float32 as TRL computes them.
/// </summary>
internal static class LossMetrics
{
    public static void Add(Dictionary<string, double> metrics, GrpoAlgorithmOptions o, Tensor mask, Tensor? kl,
        Tensor? entropies, Tensor? clipCoef, Tensor adv, Tensor? phi)
    {
        using var scope = torch.NewDisposeScope();
        if (kl is not null) metrics["kl"] = MaskedMean(kl.detach(), mask);
        if (entropies is not null) metrics["entropy"] = MaskedMean(entropies, mask);
        var mask32 = mask.to(ScalarType.Float32);
        var advD = adv.detach();
        switch (o.LossType)
        {
            case GrpoLossType.Cispo:
                metrics["cispo_clip_ratio"] = MaskedMean(((clipCoef!.detach() > o.EffectiveEpsilonHigh) & (advD > 0)).to(ScalarType.Float32), mask32);
                return;
            case GrpoLossType.Vespo:
                metrics["vespo/phi_seq_mean"] = MaskedMean(phi!, mask);
                return;
            case GrpoLossType.Sapo:
                return;
        }
        var coef = clipCoef!.detach();
        var low = ((coef < 1 - o.EpsilonLow) & (advD < 0)).to(ScalarType.Float32);
        var high = ((coef > 1 + o.EffectiveEpsilonHigh) & (advD > 0)).to(ScalarType.Float32);
        var region = ((coef < 1 - o.EpsilonLow) & (advD < 0) | (coef > 1 + o.EffectiveEpsilonHigh) & (advD > 0)).to(ScalarType.Float32);
        double lowMean = MaskedMean(low, mask32), highMean = MaskedMean(high, mask32);
        if (o.Compat == TrlCompat.V0_20)
        {
            // 0.20 takes min/max over processes of the batch means: on one process they equal the means.
            metrics["clip_ratio/low_mean"] = lowMean;
            metrics["clip_ratio/low_min"] = lowMean;
            metrics["clip_ratio/high_mean"] = highMean;
            metrics["clip_ratio/high_max"] = highMean;
            metrics["clip_ratio/region_mean"] = MaskedMean(region, mask32);
        }
        else
        {
            metrics["clip_ratio/low_mean"] = lowMean;
            metrics["clip_ratio/high_mean"] = highMean;
            metrics["clip_ratio/region_mean"] = MaskedMean(region, mask32);
            metrics["clip_ratio/low_min"] = NanExtreme(SequenceMeans(low, mask32), min: true);
            metrics["clip_ratio/high_max"] = NanExtreme(SequenceMeans(high, mask32), min: false);
        }
    }

    /// <summary>Σ x·m / max(Σ m, 1); for [B, 1] (sequence-level) values the plain mean over the B sequences.</summary>
    static double MaskedMean(Tensor x, Tensor mask)
    {
        var m = mask.to(x.dtype);
        var value = x.shape[1] == 1 ? x.sum() / (double)x.shape[0] : (x * m).sum() / m.sum().clamp_min(1.0);
        return value.to(ScalarType.Float64).item<double>();
    }

    /// <summary>Per-sequence fraction (NaN for empty rows), or the value itself at sequence level.</summary>
    static Tensor SequenceMeans(Tensor x, Tensor mask) =>
        x.shape[1] == 1 ? x.squeeze(1) : (x * mask).sum(-1) / mask.sum(-1);

    static double NanExtreme(Tensor x, bool min)
    {
        var values = x.to(ScalarType.Float64).data<double>().ToArray().Where(v => !double.IsNaN(v)).ToArray();
        if (values.Length == 0) return double.NaN;
        return min ? values.Min() : values.Max();
    }
}
