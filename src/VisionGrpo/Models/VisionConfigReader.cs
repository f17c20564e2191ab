using System.Text.Json;

namespace VisionGrpo.Models;

/// <summary>Typed, null-tolerant access to the keys of one JSON object, with errors that name the key.</summary>
internal readonly struct VisionConfigReader(JsonElement obj)
{
    bool TryGet(string key, out JsonElement value) =>
        obj.TryGetProperty(key, out value) && value.ValueKind != JsonValueKind.Null;

    public int? Int(string key)
    {
        if (!TryGet(key, out var v)) return null;
        if (v.ValueKind == JsonValueKind.Number && v.TryGetInt32(out int i)) return i;
        // transformers writes some integers as floats (e.g. 2.0); accept only exact integers.
        if (v.ValueKind == JsonValueKind.Number && v.TryGetDouble(out double x) && x == Math.Floor(x) && Math.Abs(x) < int.MaxValue)
            return (int)x;
        throw new FormatException($"vision_config.{key} must be an integer, got {v.GetRawText()}.");
    }

    public double? Double(string key)
    {
        if (!TryGet(key, out var v)) return null;
        if (v.ValueKind == JsonValueKind.Number) return v.GetDouble();
        throw new FormatException($"vision_config.{key} must be a number, got {v.GetRawText()}.");
    }

    public string? String(string key)
    {
        if (!TryGet(key, out var v)) return null;
        if (v.ValueKind == JsonValueKind.String) return v.GetString();
        throw new FormatException($"vision_config.{key} must be a string, got {v.GetRawText()}.");
    }

    public int[]? IntArray(string key)
    {
        if (!TryGet(key, out var v)) return null;
        if (v.ValueKind != JsonValueKind.Array)
            throw new FormatException($"vision_config.{key} must be an array of integers, got {v.GetRawText()}.");
        var list = new List<int>();
        foreach (var e in v.EnumerateArray())
        {
            if (e.ValueKind != JsonValueKind.Number || !e.TryGetInt32(out int i))
                throw new FormatException($"vision_config.{key} must be an array of integers, got {v.GetRawText()}.");
            list.Add(i);
        }
        return [.. list];
    }

    /// <summary><c>in_channels</c> or its legacy spelling <c>in_chans</c> (both present: they must agree).</summary>
    public int? InChannels()
    {
        int? inChans = Int("in_chans"), inChannels = Int("in_channels");
        if (inChans is { } a && inChannels is { } b && a != b)
            throw new FormatException($"vision_config: in_chans ({a}) and in_channels ({b}) disagree.");
        return inChannels ?? inChans;
    }

    /// <summary><c>patch_size</c>, checked against its legacy duplicate <c>spatial_patch_size</c>.</summary>
    public int? PatchSize()
    {
        int? patch = Int("patch_size"), legacy = Int("spatial_patch_size");
        if (patch is { } p && legacy is { } l && l != p)
            throw new FormatException($"vision_config: spatial_patch_size ({l}) differs from patch_size ({p}).");
        return patch ?? legacy;
    }
}
