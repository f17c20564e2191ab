using TorchSharp;
using TorchSharp.Modules;
using VisionGrpo.Models.Qwen2;
using VisionGrpo.Models.Qwen2_5_VL;
using static TorchSharp.torch;

namespace VisionGrpo.Models.Qwen3_VL;

/// <summary>
/// Qwen3-VL (transformers' <c>Qwen3VLForConditionalGeneration</c>): the vision tower with DeepStack, the Qwen3
/// decoder (the shared <see cref="Qwen2Model"/> built with q/k norms, no attention bias and interleaved M-RoPE) and
/// the LM head. Modules are registered under the same canonical names as Qwen2.5-VL (<c>visual.*</c>,
/// <c>model.*</c>, <c>lm_head</c>), which <see cref="WeightLoader"/> maps from and to Qwen3-VL's one hub layout
/// (<c>model.visual.*</c>, <c>model.language_model.*</c>) — so LoRA names, loading and saving work as for Qwen2.5-VL.
/// </summary>
/// <remarks>
/// The image features this model hands out and takes back (<see cref="GetImageFeatures"/>,
/// <see cref="Qwen2_5_VLInputs.ImageEmbeds"/>) are one row per image token of width <c>hidden·(1 + levels)</c>:
/// the merger output followed by every DeepStack level. Code that slices image rows per prompt (generation, the
/// trainer) therefore carries the DeepStack features along without knowing about them.
/// </remarks>
public sealed class Qwen3VLForConditionalGeneration : nn.Module
{
    /// <summary>Vision tower.</summary>
    public readonly Qwen3VLVisionModel visual;
    /// <summary>Text decoder.</summary>
    public readonly Qwen2Model model;
    /// <summary>Untied output projection (null when tied to the embedding).</summary>
    public readonly Linear? lm_head;

    /// <summary>The parsed configuration.</summary>
    public Qwen3VLConfig Config { get; }

    /// <summary>Builds the modules in <paramref name="dtype"/> (placeholder values until weights are loaded).</summary>
    public Qwen3VLForConditionalGeneration(Qwen3VLConfig config, ScalarType dtype = ScalarType.Float32, Device? device = null)
        : base(nameof(Qwen3VLForConditionalGeneration))
    {
        Config = config;
        visual = new Qwen3VLVisionModel(config.Vision);
        visual.to(dtype);
        if (device is not null) visual.to(device);
        register_module("visual", visual);
        model = new Qwen2Model(config.Text, dtype, device);
        register_module("model", model);
        if (!config.Text.TieWordEmbeddings)
        {
            lm_head = nn.Linear(config.Text.HiddenSize, config.Text.VocabSize, hasBias: false, device: device, dtype: dtype);
            register_module("lm_head", lm_head);
        }
    }

    /// <summary>The output projection: <c>lm_head.weight</c>, or the embedding matrix when tied.</summary>
    public Tensor OutputWeight => lm_head?.weight ?? model.embed_tokens.weight!;

    /// <summary>Dtype of the text weights (activations follow it).</summary>
    public ScalarType DType => model.embed_tokens.weight!.dtype;

    /// <summary>Number of DeepStack levels (decoder layers that receive vision features).</summary>
    public int DeepstackLevels => Config.Vision.DeepstackVisualIndexes.Count;

    /// <summary>
    /// Image features <c>[Σ tokens, hidden·(1 + levels)]</c>: merger output, then each DeepStack level, per image token
    /// in prompt order.
    /// </summary>
    public Tensor GetImageFeatures(Tensor pixelValues, Tensor imageGridThw)
    {
        using var scope = torch.NewDisposeScope();
        var output = visual.forward(pixelValues.to(visual.parameters().First().dtype), imageGridThw);
        return torch.cat([output.Embeds, .. output.Deepstack], 1).MoveToOuterDisposeScope();
    }

    /// <summary>Splits features of <see cref="GetImageFeatures"/> into the merger output and the DeepStack levels.</summary>
    public (Tensor Embeds, Tensor[] Deepstack) SplitImageFeatures(Tensor features)
    {
        long h = Config.Text.HiddenSize;
        if (features.dim() != 2 || features.shape[1] != h * (1 + DeepstackLevels))
            throw new ArgumentException($"Qwen3-VL image features must be [tokens, {h * (1 + DeepstackLevels)}] (hidden {h} × (1 merger + {DeepstackLevels} DeepStack levels)), got [{string.Join(", ", features.shape)}].");
        var parts = features.split(h, 1);
        return (parts[0], parts.Skip(1).ToArray());
    }

    /// <summary>LM-head logits of the kept positions of <paramref name="hidden"/>.</summary>
    public Tensor ComputeLogits(Tensor hidden, LogitsToKeep keep) => nn.functional.linear(keep.Select(hidden), OutputWeight);

    /// <summary>
    /// One forward pass: image features scattered into the <c>&lt;|image_pad|&gt;</c> rows, DeepStack levels added
    /// after the first decoder layers, M-RoPE positions at prefill and <c>slot + rope_delta</c> while decoding.
    /// <see cref="Qwen2_5_VLOutput.ImageEmbeds"/> holds the combined features (see the class remarks).
    /// </summary>
    public Qwen2_5_VLOutput forward(Qwen2_5_VLInputs inputs)
    {
        using var scope = torch.NewDisposeScope();
        var ids = inputs.InputIds;
        if (ids.dim() != 2) throw new ArgumentException($"input_ids must be [B, L], got [{string.Join(", ", ids.shape)}].");
        if (inputs.AttentionMask is { } m && !m.shape.SequenceEqual(ids.shape))
            throw new ArgumentException($"attention_mask [{string.Join(", ", m.shape)}] must match input_ids [{string.Join(", ", ids.shape)}].");
        var embeds = model.Embed(ids);
        Tensor? features = inputs.ImageEmbeds;
        DeepstackInjection? deepstack = null;
        if (features is not null || inputs.PixelValues is not null)
        {
            if (inputs.ImageGridThw is null) throw new ArgumentException("pixel_values / image embeddings were given without image_grid_thw.");
            features ??= GetImageFeatures(inputs.PixelValues!, inputs.ImageGridThw);
            var (main, levels) = SplitImageFeatures(features);
            embeds = ImageScatter.Apply(ids, embeds, main, Config.ImageTokenId);
            deepstack = DeepstackInjection.ForImageTokens(ids, Config.ImageTokenId, levels);
        }
        else if (inputs.ImageGridThw is not null)
            throw new ArgumentException("image_grid_thw was given without pixel_values or image embeddings.");

        var (positions, deltas) = MropePositions.Compute(ids, inputs.AttentionMask, inputs.ImageGridThw, inputs.Cache,
            Config.ImageTokenId, Config.VideoTokenId, Config.Vision.SpatialMergeSize);
        var text = model.forward(embeds, positions, inputs.AttentionMask, inputs.Cache, inputs.OutputHiddenStates, deepstack);
        return new Qwen2_5_VLOutput
        {
            Logits = ComputeLogits(text.LastHiddenState, inputs.LogitsToKeep),
            LastHiddenState = text.LastHiddenState,
            HiddenStates = text.HiddenStates,
            PositionIds = positions,
            RopeDeltas = deltas,
            ImageEmbeds = features,
        }.MoveToOuterDisposeScope();
    }
}
