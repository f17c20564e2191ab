using System.Text.RegularExpressions;

namespace VisionGrpo.Rewards;

/// <summary>
/// The recipe's format reward: 1.0 when the completion matches
/// <c>^&lt;think&gt;\n.*?\n&lt;/think&gt;\n&lt;answer&gt;\n.*?\n&lt;/answer&gt;$</c> with Python's <c>re.match</c> and
/// DOTALL|MULTILINE, else 0.0. <c>re.match</c> anchors at index 0 (here <c>\A</c>); under MULTILINE <c>$</c> also
/// matches before any newline, so text after a line ending in <c>&lt;/answer&gt;</c> still passes, as in the recipe.
/// </summary>
public sealed class FormatReward(float weight = 1f) : IRewardFunction
{
    static readonly Regex Pattern = new(@"\A<think>\n.*?\n</think>\n<answer>\n.*?\n</answer>$",
        RegexOptions.Singleline | RegexOptions.Multiline | RegexOptions.CultureInvariant, TimeSpan.FromSeconds(5));

    /// <inheritdoc />
    public string Name => "format_reward";

    /// <inheritdoc />
    public float Weight { get; } = weight;

    /// <summary>The reward of one completion.</summary>
    public static float ScoreOne(string completion)
    {
        ArgumentNullException.ThrowIfNull(completion);
        try { return Pattern.IsMatch(completion) ? 1f : 0f; }
        catch (RegexMatchTimeoutException) { return 0f; }
    }

    /// <inheritdoc />
    public float?[] Score(RewardBatch batch, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(batch);
        var result = new float?[batch.Count];
        for (int i = 0; i < batch.Count; i++)
        {
            cancellationToken.ThrowIfCancellationRequested();
            result[i] = ScoreOne(batch.Completions[i]);
        }
        return result;
    }
}
