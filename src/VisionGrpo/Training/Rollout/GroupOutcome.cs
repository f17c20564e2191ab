using System.Text.Json.Serialization;
using VisionGrpo.Distributed;

namespace VisionGrpo.Training.Rollout;

/// <summary>
/// What the whole round needs to know about one sampled group, whichever process generated it: prompt length,
/// completion ids and texts, rewards. With several processes every rank gathers these for all groups of the round
/// and computes the same advantages and metrics over all of them (TRL gathers the rewards before normalising); the
/// images and tensors stay on the rank that trains on the group.
/// </summary>
/// <param name="PromptLength">Unpadded prompt tokens.</param>
/// <param name="PromptText">The chat-templated prompt.</param>
/// <param name="CompletionIds">Generated ids per sample.</param>
/// <param name="CompletionTexts">Decoded completions.</param>
/// <param name="Rewards">Rewards[sample][function] (null = None).</param>
internal sealed record GroupOutcome(int PromptLength, string PromptText, int[][] CompletionIds, string[] CompletionTexts, double?[][] Rewards)
{
    /// <summary>The outcome of a locally sampled group.</summary>
    public static GroupOutcome Of(RolloutGroup g) => new(g.PromptIds.Length, g.PromptText, g.CompletionIds, g.CompletionTexts, g.Rewards);

    /// <summary>
    /// Every rank's groups in rank order (= round order, since rank r holds the r-th contiguous slice of the round),
    /// from one all-gather; with one process, just <paramref name="local"/>.
    /// </summary>
    public static IReadOnlyList<GroupOutcome> Gather(ICommunicator comm, IReadOnlyList<RolloutGroup> local)
    {
        var mine = local.Select(Of).ToArray();
        if (comm.Size == 1) return mine;
        return comm.AllGatherJson(mine, GroupOutcomeJson.Default.GroupOutcomeArray).SelectMany(x => x).ToArray();
    }
}

/// <summary>Source-generated JSON for <see cref="GroupOutcome"/> arrays (no reflection on the hot path).</summary>
[JsonSourceGenerationOptions(NumberHandling = JsonNumberHandling.AllowNamedFloatingPointLiterals)] // NaN rewards
[JsonSerializable(typeof(GroupOutcome[]))]
internal sealed partial class GroupOutcomeJson : JsonSerializerContext;
