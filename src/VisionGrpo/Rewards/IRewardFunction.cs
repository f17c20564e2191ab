namespace VisionGrpo.Rewards;

/// <summary>
/// A reward function as the GRPO trainer calls it (TRL's reward-function interface): one value per completion,
/// <c>null</c> meaning "not applicable" (TRL's <c>None</c>, ignored in the weighted sum and in the metrics).
/// </summary>
public interface IRewardFunction
{
    /// <summary>Name used in metrics (<c>rewards/&lt;name&gt;/mean</c>), e.g. <c>accuracy_reward</c>.</summary>
    string Name { get; }

    /// <summary>Weight in the weighted sum of rewards (TRL <c>reward_weights</c>, default 1).</summary>
    float Weight { get; }

    /// <summary>Scores every completion of the batch; the result has <see cref="RewardBatch.Count"/> entries, same order.</summary>
    float?[] Score(RewardBatch batch, CancellationToken cancellationToken = default);
}
