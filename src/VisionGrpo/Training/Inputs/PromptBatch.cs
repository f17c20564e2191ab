using VisionGrpo.Data;
using VisionGrpo.Models;

namespace VisionGrpo.Training.Inputs;

/// <summary>
/// Prompts of a batch ready for the model: left-padded ids and mask, the images' pixel patches and grids (in row
/// order), plus what rewards and logs need (rendered text, real lengths, the source rows).
/// </summary>
public sealed class PromptBatch : IDisposable
{
    /// <summary>Model inputs: <c>input_ids</c>/<c>attention_mask</c> [N, L] left-padded; <c>pixel_values</c>/<c>image_grid_thw</c> when there are images.</summary>
    public required QwenVLInputs Inputs { get; init; }

    /// <summary>Real (unpadded) token count per row, after <c>max_prompt_length</c> truncation.</summary>
    public required int[] Lengths { get; init; }

    /// <summary>The chat-templated prompt text per row (what reward functions receive as <c>prompts</c>).</summary>
    public required string[] Texts { get; init; }

    /// <summary>The dataset rows the prompts were built from.</summary>
    public required IReadOnlyList<DatasetRow> Rows { get; init; }

    /// <summary>Images per row (0 for a text-only row), in row order as they follow each other in <c>image_grid_thw</c>.</summary>
    public required int[] ImageCounts { get; init; }

    /// <summary>Number of prompt rows.</summary>
    public int Count => Lengths.Length;

    /// <summary>Disposes the tensors.</summary>
    public void Dispose()
    {
        Inputs.InputIds.Dispose();
        Inputs.AttentionMask?.Dispose();
        Inputs.PixelValues?.Dispose();
        Inputs.ImageGridThw?.Dispose();
    }
}
