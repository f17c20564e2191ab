using System.Text.Json;
using VisionGrpo.Models;

namespace VisionGrpo.Generation;

/// <summary>
/// The sampling defaults a checkpoint ships in <c>generation_config.json</c> (HF <c>GenerationConfig</c> keys, see
/// <see cref="SamplingSettings"/>). Every field is null when the file does not set it, so callers can tell "absent"
/// from "set to the neutral value".
/// </summary>
public sealed record GenerationConfigFile : SamplingSettings
{
    /// <summary>Reads <c>generation_config.json</c> of <paramref name="modelDir"/>; an empty record when the file is absent.</summary>
    public static GenerationConfigFile FromDirectory(string modelDir)
    {
        string path = Path.Combine(modelDir, "generation_config.json");
        return File.Exists(path) ? Parse(File.ReadAllText(path), path) : new GenerationConfigFile();
    }

    /// <summary>Parses the JSON text; <paramref name="source"/> names the file in error messages.</summary>
    public static GenerationConfigFile Parse(string json, string source)
    {
        using var doc = JsonDocument.Parse(json);
        JsonElement? root = doc.RootElement;
        double? OptionalDouble(string name) => ConfigJson.Find(name, root) is { } v && v.ValueKind != JsonValueKind.Null
            ? ConfigJson.Double(source, name, 0, root) : null;
        bool? OptionalBool(string name) => ConfigJson.Find(name, root) is { } v && v.ValueKind != JsonValueKind.Null
            ? ConfigJson.Bool(source, name, false, root) : null;
        int? OptionalInt(string name) => ConfigJson.Find(name, root) is { } v && v.ValueKind != JsonValueKind.Null
            ? ConfigJson.OptionalInt(source, name, root) : null;
        return new GenerationConfigFile
        {
            DoSample = OptionalBool("do_sample"),
            Temperature = OptionalDouble("temperature"),
            TopK = OptionalInt("top_k"),
            TopP = OptionalDouble("top_p"),
            MinP = OptionalDouble("min_p"),
            RepetitionPenalty = OptionalDouble("repetition_penalty"),
            MaxNewTokens = OptionalInt("max_new_tokens"),
            EosTokenIds = ConfigJson.Find("eos_token_id", root) is { ValueKind: not JsonValueKind.Null }
                ? ConfigJson.IntList(source, "eos_token_id", root) : null,
            PadTokenId = OptionalInt("pad_token_id"),
        };
    }
}
