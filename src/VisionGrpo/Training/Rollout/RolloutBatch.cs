using TorchSharp;
using VisionGrpo.Models.Qwen2;
using VisionGrpo.Models;
using static TorchSharp.torch;

namespace VisionGrpo.Training.Rollout;

/// <summary>
/// One generation round after scoring (TRL's output of <c>_generate_and_score_completions</c>): N = U·G completion
/// rows in TRL's order (prompt-major, the G samples of a prompt adjacent), their prompts (kept once per unique prompt),
/// right-padded completions with the loss mask, advantages, optional old/reference log-probs, and the texts and
/// rewards for logging.
/// </summary>
internal sealed class RolloutBatch : IDisposable
{
    /// <summary>The groups the rows come from (owned: disposed with the batch).</summary>
    public required IReadOnlyList<RolloutGroup> Groups { get; init; }
    /// <summary>Unique prompt index of each completion row.</summary>
    public required int[] PromptRow { get; init; }
    /// <summary>Left-padded prompt ids [U, P] (int64).</summary>
    public required Tensor PromptIds { get; init; }
    /// <summary>Prompt attention mask [U, P] (int64).</summary>
    public required Tensor PromptMask { get; init; }
    /// <summary>Right-padded completion ids [N, C] (int64).</summary>
    public required Tensor CompletionIds { get; init; }
    /// <summary>Completion mask [N, C] (int64; truncated rows zeroed with <c>mask_truncated_completions</c>).</summary>
    public required Tensor CompletionMask { get; init; }
    /// <summary>Advantages [N] (float32).</summary>
    public required Tensor Advantages { get; init; }
    /// <summary>Images of the unique prompts (null for text-only rounds).</summary>
    public RowImages? Images { get; init; }
    /// <summary>Σ completion mask over the round (the dapo normaliser <c>num_items_in_batch</c>).</summary>
    public required long NumItemsInBatch { get; init; }
    /// <summary>Old-policy log-probs [N, C] when the round is reused off-policy (else null: ratio 1).</summary>
    public Tensor? OldLogps { get; set; }
    /// <summary>Reference log-probs [N, C] when <c>beta</c> ≠ 0.</summary>
    public Tensor? RefLogps { get; set; }

    /// <summary>Prompt text per unique prompt.</summary>
    public required string[] PromptTexts { get; init; }
    /// <summary>Completion text per row (special tokens skipped).</summary>
    public required string[] CompletionTexts { get; init; }
    /// <summary>Raw reward per function name and row (null = the function returned None).</summary>
    public required IReadOnlyDictionary<string, double?[]> Rewards { get; init; }
    /// <summary>Metrics appended once per round (completion lengths, rewards, <c>frac_reward_zero_std</c>, …).</summary>
    public required IReadOnlyDictionary<string, double> Metrics { get; init; }
    /// <summary>Tokens this round adds to <c>num_input_tokens_seen</c>.</summary>
    public required long NumTokens { get; init; }
    /// <summary>Every completion of the round (all processes' rows) for the completions log.</summary>
    public required RoundLog Round { get; init; }

    /// <summary>Completion rows.</summary>
    public int Count => PromptRow.Length;
    /// <summary>Padded completion length C.</summary>
    public long CompletionLength => CompletionIds.shape[1];

    /// <summary>Model inputs and loss tensors for completion rows <paramref name="rows"/> (a micro-batch).</summary>
    public MicroBatch Slice(IReadOnlyList<int> rows)
    {
        var index = torch.tensor(rows.Select(r => (long)r).ToArray(), ScalarType.Int64, CompletionIds.device);
        var promptIndex = torch.tensor(rows.Select(r => (long)PromptRow[r]).ToArray(), ScalarType.Int64, PromptIds.device);
        var completionIds = CompletionIds.index_select(0, index);
        var completionMask = CompletionMask.index_select(0, index);
        var (images, grid) = Images?.Gather(rows.Select(r => PromptRow[r]).ToArray()) ?? (null, null);
        var inputs = new QwenVLInputs
        {
            InputIds = torch.cat([PromptIds.index_select(0, promptIndex), completionIds], 1),
            AttentionMask = torch.cat([PromptMask.index_select(0, promptIndex), completionMask], 1),
            ImageEmbeds = Images is { AreEmbeddings: true } ? images : null,
            PixelValues = Images is { AreEmbeddings: false } ? images : null,
            ImageGridThw = grid,
            LogitsToKeep = LogitsToKeep.None, // the scorer projects the hidden states itself (PolicyScorer)
        };
        return new MicroBatch(inputs, completionIds, completionMask, Advantages.index_select(0, index),
            OldLogps?.index_select(0, index), RefLogps?.index_select(0, index), rows.Select(r => Images?.Count(PromptRow[r]) ?? 0).ToArray());
    }

    /// <summary>Disposes every tensor.</summary>
    public void Dispose()
    {
        PromptIds.Dispose();
        PromptMask.Dispose();
        CompletionIds.Dispose();
        CompletionMask.Dispose();
        Advantages.Dispose();
        OldLogps?.Dispose();
        RefLogps?.Dispose();
        foreach (var group in Groups) group.Dispose();
    }
}

/// <summary>Every completion of a generation round, whichever process trained on it, in round order (TRL's completions table).</summary>
/// <param name="PromptTexts">Prompt text per unique prompt.</param>
/// <param name="CompletionTexts">Completion text per row.</param>
/// <param name="Rewards">Raw reward per function name and row (null = None).</param>
/// <param name="Advantages">Advantage per row.</param>
/// <param name="PromptRow">Unique prompt index of each row.</param>
internal sealed record RoundLog(string[] PromptTexts, string[] CompletionTexts, IReadOnlyDictionary<string, double?[]> Rewards, float[] Advantages, int[] PromptRow);

/// <summary>A micro-batch of completion rows: the scoring forward's inputs plus what the loss needs.</summary>
/// <param name="Inputs">Prompt+completion ids and mask, images; no logits (the scorer takes the hidden states).</param>
/// <param name="CompletionIds">[b, C].</param>
/// <param name="CompletionMask">[b, C].</param>
/// <param name="Advantages">[b].</param>
/// <param name="OldLogps">[b, C] or null.</param>
/// <param name="RefLogps">[b, C] or null.</param>
/// <param name="ImageCounts">Images of each row (its prompt's, a copy per row), in the order of the inputs' images.</param>
internal sealed record MicroBatch(QwenVLInputs Inputs, Tensor CompletionIds, Tensor CompletionMask, Tensor Advantages,
    Tensor? OldLogps, Tensor? RefLogps, int[] ImageCounts);
