using System.Text.Json.Serialization;
using VisionGrpo.Distributed;

namespace VisionGrpo.Training.Rollout;

/// <summary>
/// What the whole round needs to know about one sampled group, whichever process generated it: prompt length,
/// completion ids and texts, rewards. With several processes every rank gathers these for all groups of the round
/// and computes the same advantages and metrics over all of them (TRL gathers the rewards before normalising); the
/// images and tensors stay on the rank that trains on the group. A rank whose share of the round cuts a group sends
/// its part (<see cref="FirstSample"/> &gt; 0 for the part that continues another rank's); the gather joins them.
/// </summary>
/// <param name="PromptLength">Unpadded prompt tokens.</param>
/// <param name="PromptText">The chat-templated prompt.</param>
/// <param name="CompletionIds">Generated ids per sample.</param>
/// <param name="CompletionTexts">Decoded completions.</param>
/// <param name="Rewards">Rewards[sample][function] (null = None).</param>
/// <param name="FirstSample">Sample index of <paramref name="CompletionIds"/>[0] in the group.</param>
internal sealed record GroupOutcome(int PromptLength, string PromptText, int[][] CompletionIds, string[] CompletionTexts, double?[][] Rewards, int FirstSample = 0)
{
    /// <summary>The outcome of a locally sampled group (or part of one).</summary>
    public static GroupOutcome Of(RolloutGroup g) => new(g.PromptIds.Length, g.PromptText, g.CompletionIds, g.CompletionTexts, g.Rewards, g.FirstSample);

    /// <summary>
    /// Every rank's groups in rank order (= round order, since rank r holds the r-th contiguous slice of the round),
    /// from one all-gather, with the parts of a group that spans ranks joined; with one process, just <paramref name="local"/>.
    /// </summary>
    public static IReadOnlyList<GroupOutcome> Gather(ICommunicator comm, IReadOnlyList<RolloutGroup> local)
    {
        var mine = local.Select(Of).ToArray();
        if (comm.Size == 1) return mine;
        return Join(comm.AllGatherJson(mine, GroupOutcomeJson.Default.GroupOutcomeArray).SelectMany(x => x));
    }

    /// <summary>Joins consecutive parts of one group (a part with <see cref="FirstSample"/> &gt; 0 continues the one before it).</summary>
    /// <exception cref="InvalidOperationException">A part does not continue its predecessor (the ranks disagree on the round).</exception>
    public static IReadOnlyList<GroupOutcome> Join(IEnumerable<GroupOutcome> parts)
    {
        var groups = new List<GroupOutcome>();
        foreach (var part in parts)
        {
            if (part.FirstSample == 0) { groups.Add(part); continue; }
            var before = groups.Count > 0 ? groups[^1] : null;
            if (before is null || before.FirstSample + before.CompletionIds.Length != part.FirstSample || before.PromptText != part.PromptText)
                throw new InvalidOperationException($"a group part starting at sample {part.FirstSample} does not continue the part before it: the ranks disagree on the round.");
            groups[^1] = before with
            {
                CompletionIds = [.. before.CompletionIds, .. part.CompletionIds],
                CompletionTexts = [.. before.CompletionTexts, .. part.CompletionTexts],
                Rewards = [.. before.Rewards, .. part.Rewards],
            };
        }
        return groups;
    }
}

/// <summary>Source-generated JSON for <see cref="GroupOutcome"/> arrays (no reflection on the hot path).</summary>
[JsonSourceGenerationOptions(NumberHandling = JsonNumberHandling.AllowNamedFloatingPointLiterals)] // NaN rewards
[JsonSerializable(typeof(GroupOutcome[]))]
internal sealed partial class GroupOutcomeJson : JsonSerializerContext;
