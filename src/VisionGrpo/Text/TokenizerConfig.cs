using System.Text.Json;

namespace VisionGrpo.Text;

/// <summary>Which end of a sequence receives padding or loses tokens to truncation.</summary>
public enum Side
{
    /// <summary>The end of the sequence (the Hugging Face default for padding and truncation).</summary>
    Right,
    /// <summary>The start of the sequence (what batched generation needs for padding).</summary>
    Left,
}

/// <summary>
/// The settings of <c>tokenizer_config.json</c> (overridden by <c>special_tokens_map.json</c>, as transformers does)
/// that change how ids are produced or padded.
/// </summary>
public sealed record TokenizerConfig
{
    /// <summary>End-of-sequence token text (Qwen2.5-VL: <c>&lt;|im_end|&gt;</c>).</summary>
    public string? EosToken { get; init; }
    /// <summary>Padding token text (Qwen2.5-VL: <c>&lt;|endoftext|&gt;</c>).</summary>
    public string? PadToken { get; init; }
    /// <summary>Beginning-of-sequence token text; null for Qwen, which never prepends one.</summary>
    public string? BosToken { get; init; }
    /// <summary>Unknown-token text; null for byte-level BPE, which can spell any input.</summary>
    public string? UnkToken { get; init; }
    /// <summary>Default padding side; <see cref="Side.Right"/> when the file has no <c>padding_side</c>.</summary>
    public Side PaddingSide { get; init; } = Side.Right;
    /// <summary>Default truncation side; <see cref="Side.Right"/> when the file has no <c>truncation_side</c>.</summary>
    public Side TruncationSide { get; init; } = Side.Right;
    /// <summary><c>model_max_length</c>, capped to <see cref="int.MaxValue"/> (HF writes 1e30 for "no limit").</summary>
    public int ModelMaxLength { get; init; } = int.MaxValue;
    /// <summary>Whether decode removes spaces before punctuation (<c>clean_up_tokenization_spaces</c>).</summary>
    public bool CleanUpTokenizationSpaces { get; init; }
    /// <summary>Tokens declared in <c>added_tokens_decoder</c> (merged with <c>tokenizer.json</c>'s by id).</summary>
    public IReadOnlyList<AddedToken> AddedTokensDecoder { get; init; } = [];

    /// <summary>Reads the two optional files; either path may be null or missing (then defaults apply).</summary>
    public static TokenizerConfig Load(string? tokenizerConfigPath, string? specialTokensMapPath)
    {
        var config = new TokenizerConfig();
        if (tokenizerConfigPath is not null && File.Exists(tokenizerConfigPath))
            config = Apply(config, tokenizerConfigPath, readAll: true);
        if (specialTokensMapPath is not null && File.Exists(specialTokensMapPath))
            config = Apply(config, specialTokensMapPath, readAll: false);
        return config;
    }

    static TokenizerConfig Apply(TokenizerConfig c, string path, bool readAll)
    {
        using var doc = ParseFile(path);
        var r = doc.RootElement;
        c = c with
        {
            EosToken = TokenText(r, "eos_token", path) ?? c.EosToken,
            PadToken = TokenText(r, "pad_token", path) ?? c.PadToken,
            BosToken = TokenText(r, "bos_token", path) ?? c.BosToken,
            UnkToken = TokenText(r, "unk_token", path) ?? c.UnkToken,
        };
        if (!readAll) return c;
        return c with
        {
            PaddingSide = ReadSide(r, "padding_side", path) ?? c.PaddingSide,
            TruncationSide = ReadSide(r, "truncation_side", path) ?? c.TruncationSide,
            ModelMaxLength = r.TryGetProperty("model_max_length", out var m) && m.ValueKind == JsonValueKind.Number
                ? (int)Math.Min(m.GetDouble(), int.MaxValue) : c.ModelMaxLength,
            CleanUpTokenizationSpaces = r.TryGetProperty("clean_up_tokenization_spaces", out var cu) && cu.ValueKind == JsonValueKind.True,
            AddedTokensDecoder = ReadAddedTokensDecoder(r),
        };
    }

    internal static JsonDocument ParseFile(string path)
    {
        try
        {
            return JsonDocument.Parse(File.ReadAllBytes(path));
        }
        catch (JsonException e)
        {
            throw new InvalidDataException($"{path} is not valid JSON: {e.Message}", e);
        }
    }

    /// <summary>A special token is written either as a string or as an AddedToken object with <c>content</c>.</summary>
    static string? TokenText(JsonElement root, string name, string path)
    {
        if (!root.TryGetProperty(name, out var v)) return null;
        return v.ValueKind switch
        {
            JsonValueKind.String => v.GetString(),
            JsonValueKind.Object when v.TryGetProperty("content", out var content) => content.GetString(),
            JsonValueKind.Null => null,
            _ => throw new InvalidDataException($"{path}: '{name}' must be a string, an object with 'content', or null."),
        };
    }

    static Side? ReadSide(JsonElement root, string name, string path)
    {
        if (!root.TryGetProperty(name, out var v) || v.ValueKind == JsonValueKind.Null) return null;
        return v.GetString() switch
        {
            "left" => Side.Left,
            "right" => Side.Right,
            var other => throw new InvalidDataException($"{path}: '{name}' is '{other}'; expected 'left' or 'right'."),
        };
    }

    static List<AddedToken> ReadAddedTokensDecoder(JsonElement root)
    {
        var list = new List<AddedToken>();
        if (!root.TryGetProperty("added_tokens_decoder", out var d) || d.ValueKind != JsonValueKind.Object) return list;
        foreach (var p in d.EnumerateObject())
        {
            var a = p.Value;
            bool B(string n) => a.TryGetProperty(n, out var v) && v.ValueKind == JsonValueKind.True;
            list.Add(new AddedToken(int.Parse(p.Name, System.Globalization.CultureInfo.InvariantCulture), a.GetProperty("content").GetString()!,
                B("special"), B("lstrip"), B("rstrip"), B("single_word"), B("normalized")));
        }
        return list;
    }
}
