using VisionGrpo.MathVerify;

namespace VisionGrpo.Rewards;

/// <summary>
/// The recipe's accuracy reward (Math-Verify): gold parsed from the whole <c>solution</c> (first match), answer parsed
/// with the recipe's LaTeX extractor, 1.0 when they verify; golds without a parsable answer fall back to exact
/// (trimmed, case-insensitive) text comparison. With <see cref="GoldFromAnswerTag"/> the gold is read from the
/// solution's <c>&lt;answer&gt;…&lt;/answer&gt;</c> when present (opt-in fix for multiple-choice golds that the recipe
/// grades against the first number of the reasoning). Thread-safe; completions are scored in parallel.
/// </summary>
public sealed class AccuracyReward : IRewardFunction
{
    /// <summary>Creates the reward.</summary>
    /// <param name="weight">Weight in the reward sum.</param>
    /// <param name="goldFromAnswerTag">Parse the gold from the solution's answer tag when present.</param>
    /// <param name="solutionColumn">Dataset column holding the gold solution.</param>
    /// <param name="maxDegreeOfParallelism">Worker threads for a batch (default: all cores).</param>
    public AccuracyReward(float weight = 1f, bool goldFromAnswerTag = false, string solutionColumn = "solution", int? maxDegreeOfParallelism = null)
    {
        Weight = weight;
        GoldFromAnswerTag = goldFromAnswerTag;
        SolutionColumn = solutionColumn;
        MaxDegreeOfParallelism = maxDegreeOfParallelism ?? Environment.ProcessorCount;
    }

    /// <inheritdoc />
    public string Name => GoldFromAnswerTag ? "accuracy_answer_tag_reward" : "accuracy_reward";

    /// <inheritdoc />
    public float Weight { get; }

    /// <summary>Whether the gold comes from the solution's <c>&lt;answer&gt;</c> tag (opt-in).</summary>
    public bool GoldFromAnswerTag { get; }

    /// <summary>The dataset column with the gold solution.</summary>
    public string SolutionColumn { get; }

    /// <summary>Worker threads used per batch.</summary>
    public int MaxDegreeOfParallelism { get; }

    /// <summary>The reward of one completion (null if scoring failed unexpectedly, as the recipe's <c>None</c>).</summary>
    public float? ScoreOne(string solution, string completion, CancellationToken cancellationToken = default) =>
        Evaluate(solution, completion, cancellationToken).Value;

    /// <summary>The reward of one completion and, when scoring failed (value null), the reason.</summary>
    public (float? Value, string? Error) Evaluate(string solution, string completion, CancellationToken cancellationToken = default)
    {
        try { return ((float)RecipeAccuracy.Score(solution, completion, GoldFromAnswerTag, cancellationToken), null); }
        catch (Exception ex) when (ex is not OperationCanceledException) { return (null, $"{ex.GetType().Name}: {ex.Message}"); }
    }

    /// <inheritdoc />
    public float?[] Score(RewardBatch batch, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(batch);
        var solutions = Enumerable.Range(0, batch.Count).Select(i => batch.ColumnString(SolutionColumn, i)).ToArray();
        var result = new float?[batch.Count];
        var options = new ParallelOptions { MaxDegreeOfParallelism = Math.Max(1, MaxDegreeOfParallelism), CancellationToken = cancellationToken };
        Parallel.For(0, batch.Count, options, i => result[i] = ScoreOne(solutions[i], batch.Completions[i], cancellationToken));
        return result;
    }
}
