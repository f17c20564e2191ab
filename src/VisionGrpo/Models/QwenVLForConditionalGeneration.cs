using TorchSharp;
using TorchSharp.Modules;
using VisionGrpo.Models.Qwen2;
using VisionGrpo.Models.Qwen2_5_VL;
using VisionGrpo.Tensors;
using static TorchSharp.torch;

namespace VisionGrpo.Models;

/// <summary>
/// A Qwen vision-language model — the family's vision tower (<see cref="ModelFamily"/>: Qwen2-VL, Qwen2.5-VL,
/// Qwen3-VL) + the Qwen2 decoder (Qwen3's with q/k norms for Qwen3-VL) + LM head; Qwen3-VL's DeepStack levels ride
/// along the image features (<see cref="VisionTower.SplitFeatures"/>) and are added after the first decoder layers.
/// When the config has no vision part, a text-only Qwen2 / Qwen2.5
/// <c>ForCausalLM</c> through the same decoder. Parameters carry the original hub names
/// (<c>visual.*</c>, <c>model.*</c>, <c>lm_head.weight</c>); <c>WeightLoader</c> maps other layouts onto them.
/// </summary>
public sealed class QwenVLForConditionalGeneration : nn.Module
{
    /// <summary>Vision tower (null for text-only models).</summary>
    public readonly VisionTower? visual;
    /// <summary>Text decoder.</summary>
    public readonly Qwen2Model model;
    /// <summary>Untied output projection (null when tied to the embedding).</summary>
    public readonly Linear? lm_head;

    /// <summary>The parsed configuration.</summary>
    public QwenVLConfig Config { get; }

    /// <summary>Builds the modules in <paramref name="dtype"/> (initial values are placeholders until weights are loaded).</summary>
    public QwenVLForConditionalGeneration(QwenVLConfig config, ScalarType dtype = ScalarType.Float32, Device? device = null)
        : base(nameof(QwenVLForConditionalGeneration))
    {
        Config = config;
        if (config.Vision is not null)
        {
            visual = config.Vision.CreateTower();
            visual.to(dtype);
            if (device is not null) visual.to(device);
            register_module("visual", visual);
        }
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

    /// <summary>Merged image embeddings <c>[Σ tokens, hidden]</c> in the original merged-token order.</summary>
    public Tensor GetImageFeatures(Tensor pixelValues, Tensor imageGridThw)
    {
        if (visual is null) throw new InvalidOperationException($"model_type '{Config.ModelType}' has no vision tower; pixel_values cannot be used.");
        using var scope = torch.NewDisposeScope();
        var visionDtype = visual.parameters().First().dtype;
        // HF casts the float32 processor output to the tower dtype before the patch embedding.
        return visual.forward(pixelValues.to(visionDtype), imageGridThw).MoveToOuterDisposeScope();
    }

    /// <summary>LM-head logits of the kept positions of <paramref name="hidden"/>.</summary>
    public Tensor ComputeLogits(Tensor hidden, LogitsToKeep keep) => RowSplitProduct.Project(keep.Select(hidden), OutputWeight);

    /// <summary>
    /// One forward pass. Without cache or with an empty one, positions come from <see cref="RopeIndex"/> (images
    /// scattered at <c>image_token_id</c>); with a filled cache, the new tokens get <c>slot + rope_delta</c> in all
    /// three components.
    /// </summary>
    public QwenVLOutput forward(QwenVLInputs inputs)
    {
        using var scope = torch.NewDisposeScope();
        var ids = inputs.InputIds;
        if (ids.dim() != 2) throw new ArgumentException($"input_ids must be [B, L], got [{string.Join(", ", ids.shape)}].");
        if (inputs.AttentionMask is { } m && !m.shape.SequenceEqual(ids.shape))
            throw new ArgumentException($"attention_mask [{string.Join(", ", m.shape)}] must match input_ids [{string.Join(", ", ids.shape)}].");
        var embeds = model.Embed(ids);
        Tensor? imageEmbeds = inputs.ImageEmbeds;
        DeepstackInjection? deepstack = null;
        if (imageEmbeds is not null || inputs.PixelValues is not null)
        {
            if (inputs.ImageGridThw is null) throw new ArgumentException("pixel_values / image embeddings were given without image_grid_thw.");
            if (visual is null) throw new InvalidOperationException($"model_type '{Config.ModelType}' has no vision tower; image inputs cannot be used.");
            imageEmbeds ??= GetImageFeatures(inputs.PixelValues!, inputs.ImageGridThw);
            var (rows, levels) = visual.SplitFeatures(imageEmbeds);
            embeds = ImageScatter.Apply(ids, embeds, rows, Config.ImageTokenId);
            if (levels.Length > 0) deepstack = DeepstackInjection.ForImageTokens(ids, Config.ImageTokenId, levels);
        }
        else if (inputs.ImageGridThw is not null)
            throw new ArgumentException("image_grid_thw was given without pixel_values or image embeddings.");

        var (positions, deltas) = MropePositions.Compute(ids, inputs.AttentionMask, inputs.ImageGridThw, inputs.Cache,
            Config.ImageTokenId, Config.VideoTokenId, Config.Vision?.SpatialMergeSize ?? 2);
        var text = model.forward(embeds, positions, inputs.AttentionMask, inputs.Cache, inputs.OutputHiddenStates, deepstack);
        return new QwenVLOutput
        {
            Logits = ComputeLogits(text.LastHiddenState, inputs.LogitsToKeep),
            LastHiddenState = text.LastHiddenState,
            HiddenStates = text.HiddenStates,
            PositionIds = positions,
            RopeDeltas = deltas,
            ImageEmbeds = imageEmbeds,
        }.MoveToOuterDisposeScope();
    }
}
