namespace VisionGrpo.Rewards;

/// <summary>The one check every caller of a reward function makes: one score per completion of the batch, in order.</summary>
internal static class RewardScoring
{
    /// <summary>Scores <paramref name="batch"/> with <paramref name="reward"/>, checking the count.</summary>
    /// <exception cref="InvalidOperationException">The reward returned a score count other than the batch size.</exception>
    public static float?[] ScoreChecked(this IRewardFunction reward, RewardBatch batch, CancellationToken cancellationToken) =>
        CheckCount(reward.Name, reward.Score(batch, cancellationToken), batch.Count);

    /// <summary>Returns <paramref name="scores"/> when it holds one score per completion.</summary>
    /// <exception cref="InvalidOperationException">Another count.</exception>
    public static float?[] CheckCount(string name, float?[] scores, int completions) => scores.Length == completions ? scores
        : throw new InvalidOperationException($"reward '{name}' returned {scores.Length} scores for {completions} completions (one per completion, in order).");
}
