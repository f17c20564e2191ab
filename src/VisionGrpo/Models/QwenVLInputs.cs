using VisionGrpo.Models.Qwen2;
using static TorchSharp.torch;

namespace VisionGrpo.Models;

/// <summary>Inputs of <see cref="QwenVLForConditionalGeneration.forward"/> (HF argument names in the docs).</summary>
public sealed class QwenVLInputs
{
    /// <summary><c>input_ids</c> <c>[B, L]</c> int64 (left padded for batches).</summary>
    public required Tensor InputIds { get; init; }
    /// <summary><c>attention_mask</c> <c>[B, L]</c> of this call's tokens (1 = real); null = all real.</summary>
    public Tensor? AttentionMask { get; init; }
    /// <summary><c>pixel_values</c> <c>[patches, 3·2·14·14]</c> float32 (prefill only).</summary>
    public Tensor? PixelValues { get; init; }
    /// <summary><c>image_grid_thw</c> <c>[images, 3]</c> int64.</summary>
    public Tensor? ImageGridThw { get; init; }
    /// <summary>
    /// Precomputed vision-tower output <c>[image tokens, hidden]</c> used instead of running the tower on
    /// <see cref="PixelValues"/> (still needs <see cref="ImageGridThw"/> for the positions).
    /// </summary>
    public Tensor? ImageEmbeds { get; init; }
    /// <summary>Cache to extend (null: a plain forward without cache). An empty cache means prefill.</summary>
    public KvCache? Cache { get; init; }
    /// <summary>Positions that get logits.</summary>
    public LogitsToKeep LogitsToKeep { get; init; }
    /// <summary>Also return every layer's hidden states.</summary>
    public bool OutputHiddenStates { get; init; }
}

/// <summary>Outputs of <see cref="QwenVLForConditionalGeneration.forward"/>.</summary>
public sealed class QwenVLOutput
{
    /// <summary><c>[B, kept positions, vocab]</c> in the model dtype.</summary>
    public required Tensor Logits { get; init; }
    /// <summary>Final-norm hidden states <c>[B, L, hidden]</c>.</summary>
    public required Tensor LastHiddenState { get; init; }
    /// <summary>Embeddings then each layer's output when requested.</summary>
    public IReadOnlyList<Tensor>? HiddenStates { get; init; }
    /// <summary>M-RoPE positions <c>[3, B, L]</c> used by this call.</summary>
    public required Tensor PositionIds { get; init; }
    /// <summary><c>[B, 1]</c> rope deltas of the request.</summary>
    public required Tensor RopeDeltas { get; init; }
    /// <summary>Vision tower output <c>[image tokens, hidden]</c> when pixel values were given.</summary>
    public Tensor? ImageEmbeds { get; init; }

    internal QwenVLOutput MoveToOuterDisposeScope()
    {
        Logits.MoveToOuterDisposeScope();
        LastHiddenState.MoveToOuterDisposeScope();
        PositionIds.MoveToOuterDisposeScope();
        RopeDeltas.MoveToOuterDisposeScope();
        ImageEmbeds?.MoveToOuterDisposeScope();
        if (HiddenStates is not null) foreach (var t in HiddenStates) t.MoveToOuterDisposeScope();
        return this;
    }
}
