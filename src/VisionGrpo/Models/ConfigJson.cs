using System.Text.Json;

namespace VisionGrpo.Models;

/// <summary>
/// Typed reads from a <c>config.json</c> element with messages that name the file and key. HF configs come in several
/// shapes (flat, nested <c>text_config</c>, v5 <c>rope_parameters</c>), so every reader takes a fallback chain.
/// </summary>
internal static class ConfigJson
{
    /// <summary>First present, non-null property among <paramref name="scopes"/> (earlier scopes win).</summary>
    public static JsonElement? Find(string name, params JsonElement?[] scopes)
    {
        foreach (var scope in scopes)
        {
            if (scope is not { ValueKind: JsonValueKind.Object } s) continue;
            if (s.TryGetProperty(name, out var v) && v.ValueKind != JsonValueKind.Null) return v;
        }
        return null;
    }

    public static int Int(string source, string name, int? fallback, params JsonElement?[] scopes)
    {
        var v = Find(name, scopes);
        if (v is null)
            return fallback ?? throw new InvalidDataException($"{source}: required key '{name}' is missing.");
        if (v.Value.ValueKind == JsonValueKind.Number && v.Value.TryGetInt32(out int i)) return i;
        throw new InvalidDataException($"{source}: key '{name}' must be an integer, found {v.Value.GetRawText()}.");
    }

    public static int? OptionalInt(string source, string name, params JsonElement?[] scopes)
    {
        var v = Find(name, scopes);
        if (v is null) return null;
        if (v.Value.ValueKind == JsonValueKind.Number && v.Value.TryGetInt32(out int i)) return i;
        throw new InvalidDataException($"{source}: key '{name}' must be an integer, found {v.Value.GetRawText()}.");
    }

    public static double Double(string source, string name, double fallback, params JsonElement?[] scopes)
    {
        var v = Find(name, scopes);
        if (v is null) return fallback;
        if (v.Value.ValueKind == JsonValueKind.Number) return v.Value.GetDouble();
        throw new InvalidDataException($"{source}: key '{name}' must be a number, found {v.Value.GetRawText()}.");
    }

    public static bool Bool(string source, string name, bool fallback, params JsonElement?[] scopes)
    {
        var v = Find(name, scopes);
        if (v is null) return fallback;
        return v.Value.ValueKind switch
        {
            JsonValueKind.True => true,
            JsonValueKind.False => false,
            _ => throw new InvalidDataException($"{source}: key '{name}' must be true or false, found {v.Value.GetRawText()}."),
        };
    }

    public static string? String(string source, string name, params JsonElement?[] scopes)
    {
        var v = Find(name, scopes);
        if (v is null) return null;
        if (v.Value.ValueKind == JsonValueKind.String) return v.Value.GetString();
        throw new InvalidDataException($"{source}: key '{name}' must be a string, found {v.Value.GetRawText()}.");
    }

    /// <summary>An int or a list of ints (HF allows both for <c>eos_token_id</c>).</summary>
    public static int[] IntList(string source, string name, params JsonElement?[] scopes)
    {
        var v = Find(name, scopes);
        if (v is null) return [];
        if (v.Value.ValueKind == JsonValueKind.Number) return [v.Value.GetInt32()];
        if (v.Value.ValueKind == JsonValueKind.Array)
            return v.Value.EnumerateArray().Select(e => e.ValueKind == JsonValueKind.Number && e.TryGetInt32(out int i)
                ? i : throw new InvalidDataException($"{source}: '{name}' must hold integers, found {e.GetRawText()}.")).ToArray();
        throw new InvalidDataException($"{source}: key '{name}' must be an integer or a list of integers.");
    }

    public static JsonElement? Object(string name, params JsonElement?[] scopes)
    {
        var v = Find(name, scopes);
        return v is { ValueKind: JsonValueKind.Object } ? v : null;
    }
}
