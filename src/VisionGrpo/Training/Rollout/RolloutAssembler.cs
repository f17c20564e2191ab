using TorchSharp;
using VisionGrpo.Training.Advantages;
using VisionGrpo.Training.Config;
using VisionGrpo.Training.Inputs;
using static TorchSharp.torch;

namespace VisionGrpo.Training.Rollout;

/// <summary>
/// Turns sampled groups into the tensors of one training batch (TRL's order: group after group, the G samples of a
/// prompt adjacent): group advantages over the whole batch, completion masks and lengths per TRL version, left-padded
/// prompts and right-padded completions, and the round's metrics.
/// </summary>
internal static class RolloutAssembler
{
    /// <summary>Assembles <paramref name="groups"/> (the batch takes ownership of them).</summary>
    /// <param name="groups">Sampled groups, each with G completions.</param>
    /// <param name="rewardNames">Reward function names, in reward-column order.</param>
    /// <param name="options">GRPO options (weights, scale_rewards, compat, mask_truncated_completions).</param>
    /// <param name="eosTokenId">EOS id.</param>
    /// <param name="padTokenId">Pad id.</param>
    /// <param name="device">Device of the tensors.</param>
    /// <param name="warn">Receives warnings (rows every reward function scored None).</param>
    /// <param name="round">
    /// With several processes: every group of the round (<see cref="GroupOutcome.Gather"/>) and the round indices
    /// (ascending) of the completions this process trains on; <paramref name="groups"/> then hold at least the
    /// prompts of those rows (<see cref="RolloutGroup.Prompt"/>; their completions come from the round). Advantages,
    /// the dapo token count, <c>num_tokens</c> and the metrics are computed over the whole round, as TRL does after
    /// gathering; the tensors hold the local rows only. Null: the round is <paramref name="groups"/>.
    /// </param>
    public static RolloutBatch Assemble(IReadOnlyList<RolloutGroup> groups, IReadOnlyList<string> rewardNames,
        GrpoAlgorithmOptions options, int eosTokenId, int padTokenId, Device device, Action<string>? warn = null,
        (IReadOnlyList<GroupOutcome> All, int[] Rows)? round = null)
    {
        if (groups.Count == 0) throw new ArgumentException("a batch needs at least one group.");
        int g = options.NumGenerations;
        var all = round?.All ?? groups.Select(GroupOutcome.Of).ToArray();
        if (all.Any(x => x.CompletionIds.Length != g || x.FirstSample != 0))
            throw new ArgumentException($"every group must hold num_generations = {g} completions.");
        var rows = round?.Rows ?? Enumerable.Range(0, all.Count * g).ToArray();
        if (rows.Length == 0 || rows[0] < 0 || rows[^1] >= all.Count * g || rows.Zip(rows.Skip(1)).Any(p => p.First >= p.Second))
            throw new ArgumentException($"the rows to train on must be ascending indices into the round's {all.Count} x {g} completions.");

        // The whole round: advantages over every group, TRL's metrics and token counts.
        var roundPromptRow = Enumerable.Range(0, all.Count).SelectMany(i => Enumerable.Repeat(i, g)).ToArray();
        var roundCompletions = CompletionBatch.Build(roundPromptRow.Select(p => all[p].PromptLength).ToArray(),
            all.SelectMany(x => x.CompletionIds).Select(c => (IReadOnlyList<int>)c).ToArray(),
            eosTokenId, padTokenId, options.Compat, options.MaskTruncatedCompletions);
        var rewards = all.SelectMany(x => x.Rewards).Select(r => (IReadOnlyList<double?>)r).ToArray();
        var advantages = GroupAdvantages.Compute(rewards, rewardNames, options);
        foreach (string warning in advantages.Warnings) warn?.Invoke(warning);
        var metrics = new Dictionary<string, double>(roundCompletions.Metrics);
        foreach (var (k, v) in advantages.Metrics) metrics[k] = v;

        // This process's rows, padded among themselves, and the prompts they need (in round order).
        var promptIndices = rows.Select(k => k / g).Distinct().ToArray();
        var prompts = round is null ? groups.ToArray() : promptIndices.Select(p => PromptOf(groups, p, all[p])).ToArray();
        var localPrompt = promptIndices.Select((p, i) => (p, i)).ToDictionary(x => x.p, x => x.i);
        var promptRow = rows.Select(k => localPrompt[k / g]).ToArray();
        var completions = round is null ? roundCompletions : CompletionBatch.Build(rows.Select(k => all[k / g].PromptLength).ToArray(),
            rows.Select(k => (IReadOnlyList<int>)all[k / g].CompletionIds[k % g]).ToArray(),
            eosTokenId, padTokenId, options.Compat, options.MaskTruncatedCompletions);
        var localAdvantages = rows.Select(k => advantages.Advantages[k]).ToArray();
        var localRewards = rows.Select(k => rewards[k]).ToArray();
        using var scope = torch.NewDisposeScope();
        var (promptIds, promptMask) = PromptBuilder.LeftPad(prompts.Select(x => x.PromptIds).ToArray(), padTokenId);
        return new RolloutBatch
        {
            Groups = groups,
            PromptRow = promptRow,
            PromptIds = promptIds.to(device).MoveToOuterDisposeScope(),
            PromptMask = promptMask.to(device).MoveToOuterDisposeScope(),
            CompletionIds = Matrix(completions.PaddedIds, device).MoveToOuterDisposeScope(),
            CompletionMask = Matrix(completions.Mask, device).MoveToOuterDisposeScope(),
            Advantages = torch.tensor(localAdvantages, ScalarType.Float32, device).MoveToOuterDisposeScope(),
            Images = prompts.Any(x => x.ImageData is not null)
                ? new RowImages(prompts.Select(x => x.ImageData).ToArray(), prompts.Select(x => x.ImageGrid).ToArray(), prompts[0].ImagesAreEmbeddings)
                : null,
            NumItemsInBatch = roundCompletions.NumItemsInBatch,
            PromptTexts = prompts.Select(x => x.PromptText).ToArray(),
            CompletionTexts = rows.Select(k => all[k / g].CompletionTexts[k % g]).ToArray(),
            Rewards = rewardNames.Select((name, f) => (name, values: localRewards.Select(r => r[f]).ToArray())).ToDictionary(x => x.name, x => x.values),
            Metrics = metrics,
            NumTokens = roundCompletions.NumTokens,
            Round = new RoundLog(all.Select(x => x.PromptText).ToArray(), all.SelectMany(x => x.CompletionTexts).ToArray(),
                rewardNames.Select((name, f) => (name, values: rewards.Select(r => r[f]).ToArray())).ToDictionary(x => x.name, x => x.values),
                advantages.Advantages, roundPromptRow),
        };
    }

    /// <summary>The group holding prompt <paramref name="prompt"/> of the round, checked against the gathered outcome.</summary>
    static RolloutGroup PromptOf(IReadOnlyList<RolloutGroup> groups, int prompt, GroupOutcome outcome)
    {
        var group = groups.FirstOrDefault(x => x.Prompt == prompt)
            ?? throw new ArgumentException($"no local group holds prompt {prompt} of the round, whose completions this process trains on.");
        if (group.PromptIds.Length != outcome.PromptLength || group.PromptText != outcome.PromptText)
            throw new InvalidOperationException($"prompt {prompt} of the round was built differently here than on the rank that sampled it.");
        return group;
    }

    static Tensor Matrix(int[][] rows, Device device)
    {
        int width = rows.Length == 0 ? 0 : rows[0].Length;
        var flat = new long[rows.Length * width];
        for (int i = 0; i < rows.Length; i++)
            for (int t = 0; t < width; t++) flat[i * width + t] = rows[i][t];
        return torch.tensor(flat, [rows.Length, width], ScalarType.Int64, device);
    }
}
