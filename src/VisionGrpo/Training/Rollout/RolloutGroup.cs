using VisionGrpo.Data;
using static TorchSharp.torch;

namespace VisionGrpo.Training.Rollout;

/// <summary>
/// One prompt and its G sampled, decoded and rewarded completions (before advantages are computed) — or, on a
/// data-parallel rank whose share of the round cuts the prompt's group, the samples of it this rank generated; or
/// just the prompt (no completions), for a rank that trains on completions another rank generated.
/// </summary>
internal sealed class RolloutGroup : IDisposable
{
    /// <summary>The dataset row.</summary>
    public required DatasetRow Row { get; init; }
    /// <summary>Prompt token ids, unpadded (after <c>max_prompt_length</c> truncation).</summary>
    public required int[] PromptIds { get; init; }
    /// <summary>The chat-templated prompt text.</summary>
    public required string PromptText { get; init; }
    /// <summary>Image embeddings or pixel patches of the prompt's image (null: text-only).</summary>
    public Tensor? ImageData { get; init; }
    /// <summary>True: <see cref="ImageData"/> holds vision-tower embeddings; false: pixel patches.</summary>
    public bool ImagesAreEmbeddings { get; init; }
    /// <summary>Its image_grid_thw row [1, 3].</summary>
    public Tensor? ImageGrid { get; init; }
    /// <summary>Index of the prompt in its round (its completions are the round's rows Prompt·G + FirstSample + i).</summary>
    public int Prompt { get; init; }
    /// <summary>Sample index (of G) of <see cref="CompletionIds"/>[0]: 0 unless the group starts on another rank.</summary>
    public int FirstSample { get; init; }
    /// <summary>Generated ids per sample (EOS kept when it stopped on one).</summary>
    public required int[][] CompletionIds { get; init; }
    /// <summary>Decoded completions (special tokens skipped).</summary>
    public required string[] CompletionTexts { get; init; }
    /// <summary>Rewards[sample][function] (null = the function returned None).</summary>
    public required double?[][] Rewards { get; init; }

    /// <summary>Whether the weighted rewards of the group all agree (σ ≈ 0: zero advantage, no learning signal).</summary>
    public bool RewardsAgree(IReadOnlyList<double> weights)
    {
        var totals = Rewards.Where(r => r.Any(v => v is not null))
            .Select(r => r.Select((v, f) => (v ?? 0) * weights[f]).Sum()).ToArray();
        return totals.Length < 2 || totals.All(t => Math.Abs(t - totals[0]) <= 1e-8);
    }

    /// <summary>Disposes the image tensors.</summary>
    public void Dispose()
    {
        ImageData?.Dispose();
        ImageGrid?.Dispose();
    }
}
