using VisionGrpo.Models;
using static TorchSharp.torch;

namespace VisionGrpo.Training.Sft;

/// <summary>
/// One SFT micro-batch in the GRPO trainer's layout: left-padded prompts followed by right-padded completions,
/// <c>[N, P + C]</c>, with a 0/1 loss mask over the completion part only.
/// </summary>
public sealed class SftBatch : IDisposable
{
    /// <summary>Model inputs: prompt+completion ids and attention mask, pixel values and grids.</summary>
    public required QwenVLInputs Inputs { get; init; }

    /// <summary>Completion ids <c>[N, C]</c> (int64; padding positions hold the pad id).</summary>
    public required Tensor CompletionIds { get; init; }

    /// <summary>Loss mask <c>[N, C]</c> (float32): 1 on completion tokens (EOS included), 0 on padding.</summary>
    public required Tensor CompletionMask { get; init; }

    /// <summary>Completion tokens that carry loss (the sum of <see cref="CompletionMask"/>).</summary>
    public required long CompletionTokens { get; init; }

    /// <summary>Non-padding tokens of prompts and completions (TRL's <c>num_tokens</c> counts these).</summary>
    public required long InputTokens { get; init; }

    /// <summary>Rows in the batch.</summary>
    public long Count => CompletionIds.shape[0];

    /// <summary>Disposes the tensors.</summary>
    public void Dispose()
    {
        Inputs.InputIds.Dispose();
        Inputs.AttentionMask?.Dispose();
        Inputs.PixelValues?.Dispose();
        Inputs.ImageGridThw?.Dispose();
        CompletionIds.Dispose();
        CompletionMask.Dispose();
    }
}
