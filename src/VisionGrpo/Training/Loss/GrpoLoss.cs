using TorchSharp;
using VisionGrpo.Training.Config;
using static TorchSharp.torch;

namespace VisionGrpo.Training.Loss;

/// <summary>
/// TRL's <c>GRPOTrainer._compute_loss</c> after the forward pass: importance ratios (token or
/// sequence level), clipping (ε_low, ε_high, δ), the per-loss-type policy term, entropy and off-policy masks, the k3
/// KL term, aggregation per <c>loss_type</c>, gradient-accumulation scaling per TRL version, and the logged metrics.
/// </summary>
internal static class GrpoLoss
{
    /// <summary>Computes the loss (with autograd graph back to <see cref="GrpoLossInputs.PerTokenLogps"/>) and metrics.</summary>
    /// <exception cref="ArgumentException">Shapes disagree, or a required input (ref log-probs for beta ≠ 0, …) is missing.</exception>
    public static GrpoLossResult Compute(GrpoLossInputs inputs, GrpoAlgorithmOptions options)
    {
        options.Validate();
        var logpsIn = inputs.PerTokenLogps;
        if (logpsIn.dim() != 2) throw new ArgumentException($"per_token_logps must be [B, T], got [{string.Join(", ", logpsIn.shape)}].");
        long b = logpsIn.shape[0], t = logpsIn.shape[1];
        CheckShape(inputs.CompletionMask, "completion_mask", b, t);
        CheckShape(inputs.OldPerTokenLogps, "old_per_token_logps", b, t);
        CheckShape(inputs.RefPerTokenLogps, "ref_per_token_logps", b, t);
        CheckShape(inputs.Entropies, "entropies", b, t);
        if (inputs.Advantages.shape[0] != b || inputs.Advantages.dim() > 2)
            throw new ArgumentException($"advantages must be [B] or [B, T] with B = {b}, got [{string.Join(", ", inputs.Advantages.shape)}].");
        if (options.Beta != 0 && inputs.RefPerTokenLogps is null)
            throw new ArgumentException($"beta = {options.Beta} needs ref_per_token_logps.");
        bool needsEntropy = options.TopEntropyQuantile < 1.0 || options.EntropyCoef != 0;
        if (needsEntropy && inputs.Entropies is null)
            throw new ArgumentException("top_entropy_quantile < 1 and entropy_coef ≠ 0 need per-token entropies.");

        using var scope = torch.NewDisposeScope();
        var dtype = logpsIn.dtype is ScalarType.Float64 ? ScalarType.Float64 : ScalarType.Float32;
        var logps = logpsIn.to(dtype);
        var mask = inputs.CompletionMask.to(dtype);
        var adv = inputs.Advantages.to(dtype);
        if (adv.dim() == 1) adv = adv.unsqueeze(1);
        var old = inputs.OldPerTokenLogps?.to(dtype) ?? logps.detach();
        bool v19 = options.Compat == TrlCompat.V1_9;
        double gaPrime = inputs.Training ? options.GradientAccumulationSteps : 1.0;

        var entropyMask = options.TopEntropyQuantile < 1.0
            ? EntropyMask.HighEntropy(inputs.Entropies!, mask, options.TopEntropyQuantile, inputs.GatherEntropies).to(dtype)
            : null;

        var logRatio = logps - old;
        var logWeights = options.ImportanceSamplingLevel == ImportanceSamplingLevel.Token
            ? logRatio
            : ((logRatio * mask).sum(-1) / mask.sum(-1).clamp_min(1.0)).unsqueeze(-1);
        var coef1 = logWeights.exp();

        Tensor? kl = null;
        if (options.Beta != 0)
        {
            var refLogps = inputs.RefPerTokenLogps!.to(dtype);
            kl = (refLogps - logps).exp() - (refLogps - logps) - 1;
            if (options.UseBiasCorrectionKl) kl = kl * coef1;
        }

        var (perTokenLoss, clipCoef, phi) = PolicyTerm(options, logps, logRatio, coef1, adv, mask, inputs.ImportanceSamplingRatio);
        if (options.OffPolicyMaskThreshold is { } threshold)
            perTokenLoss = perTokenLoss * OffPolicyMask(adv, logps, inputs.SamplingPerTokenLogps?.to(dtype) ?? old, mask, threshold);
        if (entropyMask is not null) perTokenLoss = perTokenLoss * entropyMask;
        if (inputs.ImportanceSamplingRatio is { } isRatio && options.LossType != GrpoLossType.Vespo)
            perTokenLoss = perTokenLoss * isRatio.to(dtype);
        if (kl is not null) perTokenLoss = perTokenLoss + options.Beta * kl;

        var (raw, dividedByGa) = Aggregate(options, perTokenLoss, mask, inputs.NumItemsInBatch);
        double policyLoss = raw.detach().to(ScalarType.Float64).item<double>();
        var loss = dividedByGa ? raw / gaPrime : raw;

        var metrics = new Dictionary<string, double>();
        if (options.EntropyCoef != 0)
        {
            var effective = entropyMask is null ? mask : mask * entropyMask;
            var ent = inputs.Entropies!.to(dtype);
            var bonus = dividedByGa
                ? (ent * effective).sum() / effective.sum().clamp_min(1.0) / gaPrime
                : (ent * effective).sum() / Normaliser(inputs.NumItemsInBatch, mask);
            loss = loss - options.EntropyCoef * bonus;
            metrics["policy_loss"] = policyLoss;
        }

        LossMetrics.Add(metrics, options, mask, kl, inputs.Entropies?.detach().to(dtype), clipCoef, adv, phi);

        // 0.20 returns the un-divided loss and the HF Trainer divides it by GA before backward; 1.9 divides inside
        // compute_loss (not dapo/cispo/vespo, whose normaliser is already the global token count). The tensor that is
        // back-propagated is therefore the same in both versions.
        double divisor = !v19 && inputs.Training ? options.GradientAccumulationSteps : 1.0;
        double computeLossValue = v19 ? loss.detach().to(ScalarType.Float64).item<double>() : policyLoss;
        return new GrpoLossResult
        {
            Loss = loss.MoveToOuterDisposeScope(),
            ComputeLossValue = computeLossValue,
            TrainerLossDivisor = divisor,
            Metrics = metrics,
        };
    }

    static void CheckShape(Tensor? x, string name, long b, long t)
    {
        if (x is not null && (x.dim() != 2 || x.shape[0] != b || x.shape[1] != t))
            throw new ArgumentException($"{name} must be [{b}, {t}] like per_token_logps, got [{string.Join(", ", x.shape)}].");
    }

    /// <summary>Per-token policy loss, the ratio used for clip metrics (after δ) and VESPO's φ (for its metric).</summary>
    static (Tensor Loss, Tensor? ClipCoef, Tensor? Phi) PolicyTerm(GrpoAlgorithmOptions o, Tensor logps, Tensor logRatio,
        Tensor coef1, Tensor adv, Tensor mask, Tensor? isRatio)
    {
        switch (o.LossType)
        {
            case GrpoLossType.Cispo:
                return (-(coef1.clamp_max(o.EffectiveEpsilonHigh).detach()) * adv * logps, coef1, null);
            case GrpoLossType.Sapo:
            {
                var temps = torch.where(adv > 0, torch.full_like(adv, o.SapoTemperaturePos), torch.full_like(adv, o.SapoTemperatureNeg));
                var soft = torch.sigmoid(temps * (coef1 - 1)) * 4 / temps;
                return (-soft * adv, null, null);
            }
            case GrpoLossType.Vespo:
            {
                var phi = VespoWeights(o, adv, logRatio, mask, isRatio);
                return (-phi * adv * logps, null, phi);
            }
            default:
            {
                var coef2 = coef1.clamp(1 - o.EpsilonLow, 1 + o.EffectiveEpsilonHigh);
                if (o.Delta is { } delta) coef1 = coef1.clamp_max(delta);
                var loss = -torch.minimum(coef1 * adv, coef2 * adv);
                return (loss, coef1, null);
            }
        }
    }

    /// <summary>VESPO's detached gamma weight φ(w) per sequence [B, 1] (TRL's <c>get_gamma_weights</c>).</summary>
    static Tensor VespoWeights(GrpoAlgorithmOptions o, Tensor adv, Tensor logRatio, Tensor mask, Tensor? isRatio)
    {
        using var noGrad = torch.no_grad();
        double lower = Math.Log(1e-8);
        var seq = (logRatio.detach().clamp(-20.0, 20.0) * mask).sum(-1, keepdim: true);
        if (isRatio is not null) seq = seq + isRatio.to(seq.dtype).log().clamp(lower, 20.0).sum(-1, keepdim: true);
        var logW = seq.clamp(lower, 20.0);
        var w = logW.exp();
        var nonNeg = adv >= 0;
        var k = torch.where(nonNeg, torch.full_like(adv, o.VespoKPos), torch.full_like(adv, o.VespoKNeg));
        var lambda = torch.where(nonNeg, torch.full_like(adv, o.VespoLambdaPos), torch.full_like(adv, o.VespoLambdaNeg)).clamp_min(1e-4);
        var phi = (lambda + k * logW - lambda * w).exp();
        return torch.nan_to_num(phi, nan: 0.0, posinf: 0.0, neginf: 0.0);
    }

    /// <summary>DeepSeek-V3.2 off-policy sequence mask [B, 1]: keep if A ≥ 0 or mean(sampling − logp) ≤ δ.</summary>
    static Tensor OffPolicyMask(Tensor adv, Tensor logps, Tensor sampling, Tensor mask, double threshold)
    {
        var kl = sampling - logps.detach();
        var avg = (kl * mask).sum(1, keepdim: true) / mask.sum(1, keepdim: true).clamp_min(1.0);
        return (adv >= 0).logical_or(avg <= threshold).to(mask.dtype);
    }

    /// <summary>Aggregates per <c>loss_type</c>; the flag says whether TRL divides this type by GA.</summary>
    static (Tensor Loss, bool DividedByGa) Aggregate(GrpoAlgorithmOptions o, Tensor perTokenLoss, Tensor mask, double? numItems)
    {
        switch (o.LossType)
        {
            case GrpoLossType.Grpo:
            case GrpoLossType.Sapo:
                return (((perTokenLoss * mask).sum(-1) / mask.sum(-1).clamp_min(1.0)).mean(), true);
            case GrpoLossType.Bnpo:
                return ((perTokenLoss * mask).sum() / mask.sum().clamp_min(1.0), true);
            case GrpoLossType.DrGrpo:
                return ((perTokenLoss * mask).sum() / (double)(perTokenLoss.shape[0] * o.MaxCompletionLength), true);
            case GrpoLossType.Luspo:
                return ((perTokenLoss * mask.sum(1, keepdim: true)).mean(), true);
            default: // dapo, cispo, vespo: global token count of the generation batch (one process), no GA division
                return ((perTokenLoss * mask).sum() / Normaliser(numItems, mask), false);
        }
    }

    static double Normaliser(double? numItems, Tensor mask) =>
        Math.Max(numItems ?? mask.sum().to(ScalarType.Float64).item<double>(), 1.0);
}
