using System.Text.Json;
using System.Text.Json.Nodes;
using VisionGrpo.Models.Qwen2;

namespace VisionGrpo.Models;

/// <summary>
/// A parsed <c>config.json</c> of any supported family (<see cref="ModelFamily"/>, chosen by <c>model_type</c>):
/// Qwen2-VL, Qwen2.5-VL, Qwen3-VL, or a text-only Qwen2 / Qwen2.5 model (<see cref="Vision"/> null). Accepts the flat hub
/// shape, the nested <c>text_config</c> re-saves and v5 <c>rope_parameters</c>; special token ids come from the top level.
/// </summary>
public sealed record QwenVLConfig
{
    /// <summary><c>model_type</c> as found in the file.</summary>
    public required string ModelType { get; init; }
    /// <summary>The family <see cref="ModelType"/> selects.</summary>
    public required ModelFamily Family { get; init; }
    /// <summary>The text decoder.</summary>
    public required Qwen2TextConfig Text { get; init; }
    /// <summary>The vision tower of the family, or null for text-only Qwen2 models.</summary>
    public VisionTowerConfig? Vision { get; init; }
    /// <summary>Id of <c>&lt;|image_pad|&gt;</c>.</summary>
    public int ImageTokenId { get; init; } = 151655;
    /// <summary>Id of <c>&lt;|video_pad|&gt;</c>.</summary>
    public int VideoTokenId { get; init; } = 151656;
    /// <summary>Id of <c>&lt;|vision_start|&gt;</c>.</summary>
    public int VisionStartTokenId { get; init; } = 151652;
    /// <summary>Id of <c>&lt;|vision_end|&gt;</c>.</summary>
    public int VisionEndTokenId { get; init; } = 151653;
    /// <summary><c>bos_token_id</c> (null when absent).</summary>
    public int? BosTokenId { get; init; }
    /// <summary><c>eos_token_id</c> (one or several).</summary>
    public int[] EosTokenIds { get; init; } = [];
    /// <summary><c>pad_token_id</c> (null when absent).</summary>
    public int? PadTokenId { get; init; }
    /// <summary>Top-level <c>torch_dtype</c> / <c>dtype</c> (e.g. <c>bfloat16</c>), null when absent.</summary>
    public string? TorchDtype { get; init; }
    /// <summary>The file as read, re-written on save with only the dtype updated.</summary>
    public required string RawJson { get; init; }

    /// <summary>True when the model has a vision tower.</summary>
    public bool IsVisionLanguage => Vision is not null;

    /// <summary>Reads <c>config.json</c> from a file or a model folder.</summary>
    public static QwenVLConfig Load(string path)
    {
        string file = Directory.Exists(path) ? Path.Combine(path, "config.json") : path;
        if (!File.Exists(file)) throw new FileNotFoundException($"config.json not found: '{file}'.", file);
        return Parse(File.ReadAllText(file), file);
    }

    /// <summary>Parses the text of a <c>config.json</c>; <paramref name="source"/> names it in error messages.</summary>
    public static QwenVLConfig Parse(string json, string source)
    {
        JsonDocument doc;
        try { doc = JsonDocument.Parse(json); }
        catch (JsonException e) { throw new InvalidDataException($"{source}: not valid JSON ({e.Message}).", e); }
        using (doc)
        {
            var root = doc.RootElement;
            if (root.ValueKind != JsonValueKind.Object) throw new InvalidDataException($"{source}: expected a JSON object.");
            string modelType = ConfigJson.String(source, "model_type", root)
                ?? throw new InvalidDataException($"{source}: 'model_type' is missing.");
            JsonElement? top = root;
            var family = ModelFamily.For(modelType, source);
            var text = family.ReadText(root, source);
            var textJson = ConfigJson.Object("text_config", top);
            VisionTowerConfig? vision = null;
            if (family.ReadVision is { } readVision)
            {
                var visionJson = ConfigJson.Object("vision_config", top)
                    ?? throw new InvalidDataException($"{source}: model_type {modelType} needs a 'vision_config' object.");
                try { vision = readVision(visionJson); }
                catch (FormatException e) { throw new InvalidDataException($"{source}: {e.Message}", e); }
                if (vision.OutHiddenSize != text.HiddenSize)
                    throw new InvalidDataException($"{source}: the vision tower's output width {vision.OutHiddenSize} must equal the text hidden_size {text.HiddenSize}.");
            }
            return new QwenVLConfig
            {
                ModelType = modelType,
                Family = family,
                Text = text,
                Vision = vision,
                // Token ids from the top level only: nested re-saves carry stale nulls inside text_config.
                ImageTokenId = ConfigJson.Int(source, "image_token_id", 151655, top),
                VideoTokenId = ConfigJson.Int(source, "video_token_id", 151656, top),
                VisionStartTokenId = ConfigJson.Int(source, "vision_start_token_id", 151652, top),
                VisionEndTokenId = ConfigJson.Int(source, "vision_end_token_id", 151653, top),
                // Qwen3-VL keeps bos/eos only inside text_config; the top level wins where both exist.
                BosTokenId = ConfigJson.OptionalInt(source, "bos_token_id", top, textJson),
                EosTokenIds = ConfigJson.IntList(source, "eos_token_id", top, textJson),
                PadTokenId = ConfigJson.OptionalInt(source, "pad_token_id", top, textJson),
                // Qwen3-VL hub files state the dtype only inside text_config.
                TorchDtype = ConfigJson.String(source, "torch_dtype", top) ?? ConfigJson.String(source, "dtype", top, textJson),
                RawJson = json,
            };
        }
    }

    /// <summary>The config text to save next to weights of <paramref name="dtypeName"/> (HF spelling, e.g. <c>bfloat16</c>).</summary>
    public string ToJson(string dtypeName)
    {
        var node = JsonNode.Parse(RawJson)!.AsObject();
        // Keep whichever spelling the file used (transformers ≥ 4.56 writes "dtype", older "torch_dtype").
        if (node.ContainsKey("dtype") || !node.ContainsKey("torch_dtype")) node["dtype"] = dtypeName;
        if (node.ContainsKey("torch_dtype")) node["torch_dtype"] = dtypeName;
        return node.ToJsonString(new JsonSerializerOptions { WriteIndented = true });
    }
}
