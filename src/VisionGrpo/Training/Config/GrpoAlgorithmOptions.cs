namespace VisionGrpo.Training.Config;

/// <summary>
/// The loss and advantage hyper-parameters of TRL's <c>GRPOConfig</c> (names in the XML docs are TRL's keys), with
/// per-version defaults from <see cref="Defaults(TrlCompat)"/>. Immutable; use <c>with</c> to change a value.
/// </summary>
public sealed record GrpoAlgorithmOptions
{
    /// <summary>TRL semantics to reproduce (<c>trl_compat</c>).</summary>
    public TrlCompat Compat { get; init; } = TrlCompat.V1_9;

    /// <summary><c>num_generations</c>: completions per prompt, the group size G (≥ 2 for training).</summary>
    public int NumGenerations { get; init; } = 8;

    /// <summary><c>max_completion_length</c>: generation cap; also the constant L of <c>dr_grpo</c>.</summary>
    public int MaxCompletionLength { get; init; } = 256;

    /// <summary><c>loss_type</c> (0.20 default bnpo, 1.9 default dapo).</summary>
    public GrpoLossType LossType { get; init; } = GrpoLossType.Dapo;

    /// <summary><c>importance_sampling_level</c>: token, or sequence (GSPO).</summary>
    public ImportanceSamplingLevel ImportanceSamplingLevel { get; init; } = ImportanceSamplingLevel.Token;

    /// <summary><c>epsilon</c>: lower clip ε_low (ratio ≥ 1 − ε).</summary>
    public double Epsilon { get; init; } = 0.2;

    /// <summary><c>epsilon_high</c>: upper clip ε_high; null → <see cref="Epsilon"/>. For cispo, the absolute ratio cap.</summary>
    public double? EpsilonHigh { get; init; }

    /// <summary><c>delta</c>: two-sided clipping cap on the unclipped ratio (INTELLECT-2); null = off.</summary>
    public double? Delta { get; init; }

    /// <summary><c>beta</c>: KL coefficient; 0 means no reference log-probs are needed.</summary>
    public double Beta { get; init; }

    /// <summary><c>scale_rewards</c>: group / batch / none (0.20: True = group, False = none).</summary>
    public ScaleRewards ScaleRewards { get; init; } = ScaleRewards.Group;

    /// <summary><c>reward_weights</c>: one weight per reward function; null → all 1.</summary>
    public IReadOnlyList<double>? RewardWeights { get; init; }

    /// <summary><c>multi_objective_aggregation</c> (1.9): sum_then_normalize or normalize_then_sum (GDPO).</summary>
    public MultiObjectiveAggregation MultiObjectiveAggregation { get; init; } = MultiObjectiveAggregation.SumThenNormalize;

    /// <summary><c>mask_truncated_completions</c>: drop completions without EOS from the loss.</summary>
    public bool MaskTruncatedCompletions { get; init; }

    /// <summary><c>top_entropy_quantile</c> ρ: keep only the top-ρ fraction of tokens by entropy in the policy term.</summary>
    public double TopEntropyQuantile { get; init; } = 1.0;

    /// <summary><c>use_bias_correction_kl</c> (1.9): multiply the per-token KL by the importance ratio.</summary>
    public bool UseBiasCorrectionKl { get; init; }

    /// <summary><c>temperature</c>: sampling temperature; the scoring logits are divided by it too.</summary>
    public double Temperature { get; init; } = 1.0;

    /// <summary><c>gradient_accumulation_steps</c>: micro-steps per optimizer step (the loss normaliser GA).</summary>
    public int GradientAccumulationSteps { get; init; } = 1;

    /// <summary><c>num_iterations</c> μ: optimisation passes per generated batch.</summary>
    public int NumIterations { get; init; } = 1;

    /// <summary><c>sapo_temperature_pos</c>: SAPO gate temperature for A &gt; 0.</summary>
    public double SapoTemperaturePos { get; init; } = 1.0;

    /// <summary><c>sapo_temperature_neg</c>: SAPO gate temperature for A ≤ 0.</summary>
    public double SapoTemperatureNeg { get; init; } = 1.05;

    /// <summary><c>vespo_k_pos</c>: VESPO gamma shape for A ≥ 0.</summary>
    public double VespoKPos { get; init; } = 2.0;

    /// <summary><c>vespo_lambda_pos</c>: VESPO gamma rate for A ≥ 0.</summary>
    public double VespoLambdaPos { get; init; } = 3.0;

    /// <summary><c>vespo_k_neg</c>: VESPO gamma shape for A &lt; 0.</summary>
    public double VespoKNeg { get; init; } = 3.0;

    /// <summary><c>vespo_lambda_neg</c>: VESPO gamma rate for A &lt; 0.</summary>
    public double VespoLambdaNeg { get; init; } = 2.0;

    /// <summary><c>off_policy_mask_threshold</c> δ (DeepSeek-V3.2 sequence mask); null = off.</summary>
    public double? OffPolicyMaskThreshold { get; init; }

    /// <summary><c>entropy_coef</c>: static entropy-bonus coefficient (loss −= coef · mean entropy); 0 = off.</summary>
    public double EntropyCoef { get; init; }

    /// <summary>ε_low as TRL uses it (= <see cref="Epsilon"/>).</summary>
    public double EpsilonLow => Epsilon;

    /// <summary>ε_high as TRL uses it (<see cref="EpsilonHigh"/>, else <see cref="Epsilon"/>).</summary>
    public double EffectiveEpsilonHigh => EpsilonHigh ?? Epsilon;

    /// <summary>TRL's dataclass defaults of the given version (loss_type bnpo vs dapo; the rest agree).</summary>
    public static GrpoAlgorithmOptions Defaults(TrlCompat compat) => new()
    {
        Compat = compat,
        LossType = compat == TrlCompat.V0_20 ? GrpoLossType.Bnpo : GrpoLossType.Dapo,
    };

    /// <summary>Weights per reward function (all 1 when unset); checks the count.</summary>
    /// <exception cref="ArgumentException">The number of weights differs from <paramref name="numFunctions"/>.</exception>
    public double[] WeightsFor(int numFunctions)
    {
        if (RewardWeights is null) return Enumerable.Repeat(1.0, numFunctions).ToArray();
        if (RewardWeights.Count != numFunctions)
            throw new ArgumentException(
                $"reward_weights has {RewardWeights.Count} entries but there are {numFunctions} reward functions.");
        return RewardWeights.ToArray();
    }

    /// <summary>
    /// Rejects values the selected TRL version does not have (TRL 0.20 knows only grpo/bnpo/dr_grpo, boolean
    /// scale_rewards and no GDPO) and out-of-range numbers, with the option's TRL name in the message.
    /// </summary>
    /// <exception cref="ArgumentException">The first invalid option.</exception>
    public void Validate()
    {
        if (NumGenerations < 1) throw new ArgumentException($"num_generations must be ≥ 1 (got {NumGenerations}).");
        if (MaxCompletionLength < 1) throw new ArgumentException($"max_completion_length must be ≥ 1 (got {MaxCompletionLength}).");
        if (GradientAccumulationSteps < 1)
            throw new ArgumentException($"gradient_accumulation_steps must be ≥ 1 (got {GradientAccumulationSteps}).");
        if (NumIterations < 1) throw new ArgumentException($"num_iterations must be ≥ 1 (got {NumIterations}).");
        if (!(Epsilon >= 0)) throw new ArgumentException($"epsilon must be ≥ 0 (got {Epsilon}).");
        if (EpsilonHigh is { } eh && !(eh >= 0)) throw new ArgumentException($"epsilon_high must be ≥ 0 (got {eh}).");
        if (!(Temperature > 0)) throw new ArgumentException($"temperature must be > 0 (got {Temperature}).");
        if (!(TopEntropyQuantile >= 0 && TopEntropyQuantile <= 1))
            throw new ArgumentException($"top_entropy_quantile must be in [0, 1] (got {TopEntropyQuantile}).");
        if (!double.IsFinite(Beta)) throw new ArgumentException($"beta must be finite (got {Beta}).");
        if (Compat == TrlCompat.V0_20)
        {
            if (LossType is not (GrpoLossType.Grpo or GrpoLossType.Bnpo or GrpoLossType.DrGrpo))
                throw new ArgumentException(
                    $"loss_type '{LossType.Name()}' does not exist in TRL 0.20 (grpo, bnpo, dr_grpo); use trl_compat \"1.9\".");
            if (ScaleRewards == ScaleRewards.Batch)
                throw new ArgumentException("scale_rewards 'batch' does not exist in TRL 0.20 (a boolean there); use trl_compat \"1.9\".");
            if (MultiObjectiveAggregation != MultiObjectiveAggregation.SumThenNormalize)
                throw new ArgumentException(
                    "multi_objective_aggregation 'normalize_then_sum' does not exist in TRL 0.20; use trl_compat \"1.9\".");
            if (UseBiasCorrectionKl) throw new ArgumentException("use_bias_correction_kl does not exist in TRL 0.20.");
            if (OffPolicyMaskThreshold is not null) throw new ArgumentException("off_policy_mask_threshold does not exist in TRL 0.20.");
            if (EntropyCoef != 0) throw new ArgumentException("entropy_coef does not exist in TRL 0.20.");
        }
    }
}
