using System.Text.Json;
using System.Text.Json.Nodes;
using VisionGrpo.Models.Qwen2;

namespace VisionGrpo.Models.Qwen3_VL;

/// <summary>
/// A parsed <c>config.json</c> of a Qwen3-VL model (<c>model_type: qwen3_vl</c>) in the hub layout: the decoder in a
/// nested <c>text_config</c> (with its <c>bos_token_id</c>/<c>eos_token_id</c>, explicit <c>head_dim</c>,
/// <c>rope_theta</c> and <c>rope_scaling.mrope_section</c>), the vision token ids at the top level, and
/// <c>tie_word_embeddings</c> per model (top level first).
/// </summary>
public sealed record Qwen3VLConfig
{
    /// <summary><c>model_type</c> as found in the file (<c>qwen3_vl</c>).</summary>
    public required string ModelType { get; init; }
    /// <summary>The Qwen3 decoder (q/k norms, no attention bias, interleaved M-RoPE).</summary>
    public required Qwen2TextConfig Text { get; init; }
    /// <summary>The vision tower.</summary>
    public required Qwen3VLVisionConfig Vision { get; init; }
    /// <summary>Id of <c>&lt;|image_pad|&gt;</c>.</summary>
    public int ImageTokenId { get; init; } = 151655;
    /// <summary>Id of <c>&lt;|video_pad|&gt;</c>.</summary>
    public int VideoTokenId { get; init; } = 151656;
    /// <summary>Id of <c>&lt;|vision_start|&gt;</c>.</summary>
    public int VisionStartTokenId { get; init; } = 151652;
    /// <summary>Id of <c>&lt;|vision_end|&gt;</c>.</summary>
    public int VisionEndTokenId { get; init; } = 151653;
    /// <summary><c>text_config.bos_token_id</c> (null when absent).</summary>
    public int? BosTokenId { get; init; }
    /// <summary><c>text_config.eos_token_id</c> (one or several).</summary>
    public int[] EosTokenIds { get; init; } = [];
    /// <summary><c>pad_token_id</c> (null when absent).</summary>
    public int? PadTokenId { get; init; }
    /// <summary>Top-level <c>dtype</c> / <c>torch_dtype</c>, null when absent.</summary>
    public string? TorchDtype { get; init; }
    /// <summary>The file as read, re-written on save with only the dtype updated.</summary>
    public required string RawJson { get; init; }

    /// <summary>transformers' default <c>mrope_section</c> of Qwen3-VL when <c>rope_scaling</c> gives none.</summary>
    public static readonly int[] DefaultMropeSection = [24, 20, 20];

    /// <summary>Reads <c>config.json</c> from a file or a model folder.</summary>
    public static Qwen3VLConfig Load(string path)
    {
        string file = Directory.Exists(path) ? Path.Combine(path, "config.json") : path;
        if (!File.Exists(file)) throw new FileNotFoundException($"config.json not found: '{file}'.", file);
        return Parse(File.ReadAllText(file), file);
    }

    /// <summary>Parses the text of a Qwen3-VL <c>config.json</c>; <paramref name="source"/> names it in error messages.</summary>
    public static Qwen3VLConfig Parse(string json, string source)
    {
        JsonDocument doc;
        try { doc = JsonDocument.Parse(json); }
        catch (JsonException e) { throw new InvalidDataException($"{source}: not valid JSON ({e.Message}).", e); }
        using (doc)
        {
            var root = doc.RootElement;
            if (root.ValueKind != JsonValueKind.Object) throw new InvalidDataException($"{source}: expected a JSON object.");
            JsonElement? top = root;
            string modelType = ConfigJson.String(source, "model_type", top) ?? throw new InvalidDataException($"{source}: 'model_type' is missing.");
            if (modelType != "qwen3_vl")
                throw new NotSupportedException($"{source}: model_type '{modelType}' is not Qwen3-VL ('qwen3_vl').");
            var textJson = ConfigJson.Object("text_config", top)
                ?? throw new InvalidDataException($"{source}: model_type qwen3_vl needs a 'text_config' object (the hub layout).");
            var visionJson = ConfigJson.Object("vision_config", top)
                ?? throw new InvalidDataException($"{source}: model_type qwen3_vl needs a 'vision_config' object.");
            var vision = Qwen3VLVisionConfig.FromJson(visionJson, source);
            var text = Qwen3Text(root, textJson, source);
            if (vision.OutHiddenSize != text.HiddenSize)
                throw new InvalidDataException($"{source}: vision_config.out_hidden_size {vision.OutHiddenSize} must equal text_config.hidden_size {text.HiddenSize}.");
            if (vision.DeepstackVisualIndexes.Count > text.NumHiddenLayers)
                throw new InvalidDataException($"{source}: {vision.DeepstackVisualIndexes.Count} DeepStack levels need as many decoder layers, text_config has {text.NumHiddenLayers}.");
            JsonElement?[] tokenScopes = [textJson, top];
            return new Qwen3VLConfig
            {
                ModelType = modelType,
                Text = text,
                Vision = vision,
                ImageTokenId = ConfigJson.Int(source, "image_token_id", 151655, top),
                VideoTokenId = ConfigJson.Int(source, "video_token_id", 151656, top),
                VisionStartTokenId = ConfigJson.Int(source, "vision_start_token_id", 151652, top),
                VisionEndTokenId = ConfigJson.Int(source, "vision_end_token_id", 151653, top),
                BosTokenId = ConfigJson.OptionalInt(source, "bos_token_id", tokenScopes),
                EosTokenIds = ConfigJson.IntList(source, "eos_token_id", tokenScopes),
                PadTokenId = ConfigJson.OptionalInt(source, "pad_token_id", tokenScopes),
                TorchDtype = ConfigJson.String(source, "dtype", top) ?? ConfigJson.String(source, "torch_dtype", top),
                RawJson = json,
            };
        }
    }

    /// <summary>
    /// The decoder: Qwen2's reader for the shared keys, then what Qwen3 changes — <c>attention_bias</c> (default
    /// false) on all four projections, q/k norms, interleaved M-RoPE (always, as transformers' rotary applies it)
    /// with the default section when none is given, and <c>rope_theta</c> 5e6 by default.
    /// </summary>
    static Qwen2TextConfig Qwen3Text(JsonElement root, JsonElement? textJson, string source)
    {
        JsonElement? top = root;
        var text = Qwen2TextConfig.FromJson(root, source);
        bool bias = ConfigJson.Bool(source, "attention_bias", false, textJson, top);
        var rope = ConfigJson.Object("rope_scaling", textJson, top) ?? ConfigJson.Object("rope_parameters", textJson, top);
        bool hasTheta = ConfigJson.Find("rope_theta", rope, textJson, top) is not null;
        if (text.MropeSection is null && DefaultMropeSection.Sum() != text.HeadDim / 2)
            throw new InvalidDataException($"{source}: text_config.rope_scaling.mrope_section is missing and the default [24, 20, 20] does not fit head_dim {text.HeadDim}.");
        return text with
        {
            QkvBias = bias,
            OutputBias = bias,
            QkNorm = true,
            MropeSection = text.MropeSection ?? DefaultMropeSection,
            MropeInterleaved = true,
            RopeTheta = hasTheta ? text.RopeTheta : 5_000_000,
        };
    }

    /// <summary>The config text to save next to weights of <paramref name="dtypeName"/> (HF spelling).</summary>
    public string ToJson(string dtypeName)
    {
        var node = JsonNode.Parse(RawJson)!.AsObject();
        if (node.ContainsKey("dtype") || !node.ContainsKey("torch_dtype")) node["dtype"] = dtypeName;
        if (node.ContainsKey("torch_dtype")) node["torch_dtype"] = dtypeName;
        if (node["text_config"] is JsonObject text && text.ContainsKey("dtype")) text["dtype"] = dtypeName;
        return node.ToJsonString(new JsonSerializerOptions { WriteIndented = true });
    }
}
