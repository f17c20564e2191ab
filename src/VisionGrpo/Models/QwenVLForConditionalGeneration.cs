using TorchSharp;
using TorchSharp.Modules;
using VisionGrpo.Models.Qwen2;
using VisionGrpo.Models.Qwen2_5_VL;
using static TorchSharp.torch;

namespace VisionGrpo.Models;

/// <summary>
/// A Qwen vision-language model — the family's vision tower (<see cref="ModelFamily"/>: Qwen2-VL, Qwen2.5-VL) + the
/// Qwen2 decoder + LM head — and, when the config has no vision part, a text-only Qwen2 / Qwen2.5
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
    public Tensor ComputeLogits(Tensor hidden, LogitsToKeep keep) => nn.functional.linear(keep.Select(hidden), OutputWeight);

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
        if (imageEmbeds is not null || inputs.PixelValues is not null)
        {
            if (inputs.ImageGridThw is null) throw new ArgumentException("pixel_values / image embeddings were given without image_grid_thw.");
            imageEmbeds ??= GetImageFeatures(inputs.PixelValues!, inputs.ImageGridThw);
            embeds = ScatterImages(ids, embeds, imageEmbeds);
        }
        else if (inputs.ImageGridThw is not null)
            throw new ArgumentException("image_grid_thw was given without pixel_values or image embeddings.");

        var cache = inputs.Cache;
        Tensor positions, deltas;
        if (cache is null || cache.Length == 0)
        {
            (positions, deltas) = RopeIndex.Compute(ids, inputs.AttentionMask, inputs.ImageGridThw, Config.ImageTokenId,
                Config.VideoTokenId, Config.Vision?.SpatialMergeSize ?? 2);
            if (cache is not null)
            {
                cache.RopeDeltas?.Dispose();
                cache.RopeDeltas = deltas.clone().DetachFromDisposeScope();
            }
        }
        else
        {
            deltas = cache.RopeDeltas ?? torch.zeros(ids.shape[0], 1, dtype: ScalarType.Int64, device: ids.device);
            var slots = torch.arange(cache.Length, cache.Length + ids.shape[1], dtype: ScalarType.Int64, device: ids.device);
            positions = (slots.unsqueeze(0) + deltas.to(ids.device)).unsqueeze(0).expand(3, -1, -1).contiguous();
            deltas = deltas.clone();
        }

        var text = model.forward(embeds, positions, inputs.AttentionMask, cache, inputs.OutputHiddenStates);
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

    /// <summary>Overwrites the <c>image_token_id</c> rows, in row-major order, with consecutive vision rows (HF <c>masked_scatter</c>).</summary>
    Tensor ScatterImages(Tensor ids, Tensor embeds, Tensor imageEmbeds)
    {
        var flatMask = ids.reshape(-1).eq(Config.ImageTokenId);
        long count = flatMask.sum().item<long>();
        if (count != imageEmbeds.shape[0])
            throw new ArgumentException($"Image features and image tokens do not match: input_ids hold {count} <|image_pad|> ({Config.ImageTokenId}) tokens, the vision tower produced {imageEmbeds.shape[0]} rows.");
        long b = embeds.shape[0], l = embeds.shape[1], h = embeds.shape[2];
        var index = flatMask.nonzero().squeeze(1);
        return embeds.reshape(b * l, h).index_copy(0, index, imageEmbeds.to(embeds.dtype)).reshape(b, l, h);
    }
}
