namespace VisionGrpo.Training.Advantages;

/// <summary>
/// Output of <see cref="GroupAdvantages.Compute"/>: one advantage per completion row plus TRL's intermediate
/// per-row values (its <c>trl_locals</c>) and the reward metrics it logs, all float32 values as TRL computes them.
/// </summary>
internal sealed class AdvantageResult
{
    /// <summary>Per-row advantages (NaN-free: unscorable rows and groups with &lt; 2 valid rows get 0).</summary>
    public required float[] Advantages { get; init; }

    /// <summary>Weighted summed reward per row (TRL's <c>rewards</c>; NaN for unscorable rows in 1.9 semantics).</summary>
    public required float[] Rewards { get; init; }

    /// <summary>Group mean repeated per row (<c>mean_grouped_rewards</c>); null for GDPO aggregation.</summary>
    public float[]? GroupMeans { get; init; }

    /// <summary>The σ used per row (<c>std_grouped_rewards</c> in 0.20, <c>std_rewards</c> in 1.9).</summary>
    public required float[] Std { get; init; }

    /// <summary>Whether σ ≈ 0: per group in 0.20 semantics, per row in 1.9 semantics (as TRL's <c>is_std_zero</c>).</summary>
    public required bool[] IsStdZero { get; init; }

    /// <summary>
    /// Reward metrics in TRL's names and order: <c>rewards/&lt;name&gt;/mean</c>, <c>rewards/&lt;name&gt;/std</c>,
    /// <c>reward</c>, <c>reward_std</c>, <c>frac_reward_zero_std</c>.
    /// </summary>
    public required IReadOnlyDictionary<string, double> Metrics { get; init; }

    /// <summary>Indices of rows every reward function scored None (NaN).</summary>
    public required IReadOnlyList<int> UnscorableRows { get; init; }

    /// <summary>Warnings raised while computing (e.g. unscorable rows; TRL 0.20 would have crashed on them).</summary>
    public required IReadOnlyList<string> Warnings { get; init; }
}
