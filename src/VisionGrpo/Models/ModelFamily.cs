using System.Text.Json;
using VisionGrpo.Models.Qwen2;
using VisionGrpo.Models.Qwen2_5_VL;
using VisionGrpo.Models.Qwen2_VL;
using VisionGrpo.Models.Qwen3_VL;

namespace VisionGrpo.Models;

/// <summary>
/// One model family, chosen by the <c>model_type</c> of <c>config.json</c>: how to read its text decoder and its
/// vision tower (null for text-only families). The vision config then builds, counts and lists its own tower
/// (<see cref="VisionTowerConfig"/>); the decoder, the LM head, positions and everything above are shared.
/// Adding a family = one entry in <see cref="All"/> plus its <c>Models/&lt;Family&gt;/</c> folder.
/// </summary>
/// <param name="ModelType">The <c>model_type</c> value that selects the family.</param>
/// <param name="Name">Human name for messages (<c>Qwen2.5-VL</c>).</param>
/// <param name="ReadVision">Parses the <c>vision_config</c> object; null for text-only models.</param>
public sealed record ModelFamily(string ModelType, string Name, Func<JsonElement, VisionTowerConfig>? ReadVision)
{
    /// <summary>Parses the text decoder from the config root (the string names the file in errors).</summary>
    public Func<JsonElement, string, Qwen2TextConfig> ReadText { get; init; } = Qwen2TextConfig.FromJson;

    /// <summary>
    /// Save weights under the transformers ≥ 4.52 names (<c>model.language_model.*</c>, <c>model.visual.*</c>)
    /// instead of the original ones: Qwen3-VL's loader knows no other layout.
    /// </summary>
    public bool SavesLanguageModelLayout { get; init; }

    /// <summary>Qwen2 / Qwen2.5 text models (<c>Qwen2ForCausalLM</c>).</summary>
    public static ModelFamily Qwen2Text { get; } = new("qwen2", "Qwen2 / Qwen2.5 text", null);

    /// <summary>Qwen2-VL: LayerNorm + QuickGELU vision blocks, full attention.</summary>
    public static ModelFamily Qwen2VL { get; } = new("qwen2_vl", "Qwen2-VL", Qwen2VLVisionConfig.FromJson);

    /// <summary>Qwen2.5-VL: RMSNorm + SwiGLU vision blocks, window attention.</summary>
    public static ModelFamily Qwen2_5VL { get; } = new("qwen2_5_vl", "Qwen2.5-VL", Qwen2_5_VLVisionConfig.FromJson);

    /// <summary>
    /// Qwen3-VL: Qwen3 decoder (q/k norms, interleaved M-RoPE) in a nested <c>text_config</c>, LayerNorm vision
    /// blocks with a learned position table, DeepStack. Its one checkpoint layout is the transformers ≥ 4.52 one.
    /// </summary>
    public static ModelFamily Qwen3VL { get; } = new("qwen3_vl", "Qwen3-VL", Qwen3VLVisionConfig.FromJson)
    {
        ReadText = Qwen3VLTextConfig.FromJson,
        SavesLanguageModelLayout = true,
    };

    /// <summary>Every supported family.</summary>
    public static IReadOnlyList<ModelFamily> All { get; } = [Qwen2Text, Qwen2VL, Qwen2_5VL, Qwen3VL];

    /// <summary>The family of <paramref name="modelType"/>; <paramref name="source"/> names the config in the error.</summary>
    /// <exception cref="NotSupportedException">No family has that <c>model_type</c>.</exception>
    public static ModelFamily For(string modelType, string source) =>
        All.FirstOrDefault(f => f.ModelType == modelType)
        ?? throw new NotSupportedException($"{source}: model_type '{modelType}' is not supported; supported: " +
            string.Join(", ", All.Select(f => $"'{f.ModelType}' ({f.Name})")) + ".");
}
