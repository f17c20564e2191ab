using System.Text;
using System.Text.Json;

namespace VisionGrpo.Text;

/// <summary>
/// The parts of a Hugging Face <c>tokenizer.json</c> that a byte-level BPE tokenizer needs. Anything this port does
/// not implement (another model type, an unknown normalizer or pre-tokenizer) is rejected with the file and field
/// named, never silently ignored.
/// </summary>
internal sealed class TokenizerJson
{
    /// <summary>GPT-2's split, used by a <c>ByteLevel</c> pre-tokenizer with <c>use_regex: true</c>.</summary>
    internal const string Gpt2Pattern = @"'s|'t|'re|'ve|'m|'ll|'d| ?\p{L}+| ?\p{N}+| ?[^\s\p{L}\p{N}]+|\s+(?!\S)|\s+";

    public required Dictionary<string, int> Vocab { get; init; }
    public required List<string> Merges { get; init; }
    public required List<AddedToken> AddedTokens { get; init; }
    public required NormalizationForm[] Normalizations { get; init; }
    public required bool Lowercase { get; init; }
    public required string SplitPattern { get; init; }

    public static TokenizerJson Load(string path)
    {
        using var stream = File.OpenRead(path);
        using var doc = JsonDocument.Parse(stream);
        var root = doc.RootElement;
        string Where(string field) => $"{path}: {field}";

        var model = root.GetProperty("model");
        string type = model.TryGetProperty("type", out var t) ? t.GetString() ?? "" : (model.TryGetProperty("merges", out _) ? "BPE" : "");
        if (type != "BPE")
            throw new NotSupportedException($"{Where("model.type")} is '{type}'; only byte-level BPE tokenizers are supported.");
        if (model.TryGetProperty("dropout", out var dropout) && dropout.ValueKind == JsonValueKind.Number && dropout.GetDouble() > 0)
            throw new NotSupportedException($"{Where("model.dropout")} is set; BPE dropout is a training-time option and is not supported.");

        var vocab = new Dictionary<string, int>(StringComparer.Ordinal);
        foreach (var p in model.GetProperty("vocab").EnumerateObject()) vocab[p.Name] = p.Value.GetInt32();

        var merges = new List<string>();
        foreach (var m in model.GetProperty("merges").EnumerateArray())
        {
            // Recent `tokenizers` releases store pairs (["Ġ","Ġ"]); older files store "Ġ Ġ". Both mean the same.
            merges.Add(m.ValueKind == JsonValueKind.Array ? $"{m[0].GetString()} {m[1].GetString()}" : m.GetString()!);
        }

        var added = new List<AddedToken>();
        if (root.TryGetProperty("added_tokens", out var addedTokens) && addedTokens.ValueKind == JsonValueKind.Array)
        {
            foreach (var a in addedTokens.EnumerateArray())
                added.Add(new AddedToken(a.GetProperty("id").GetInt32(), a.GetProperty("content").GetString()!,
                    Bool(a, "special"), Bool(a, "lstrip"), Bool(a, "rstrip"), Bool(a, "single_word"), Bool(a, "normalized")));
        }

        var forms = new List<NormalizationForm>();
        bool lowercase = false;
        if (root.TryGetProperty("normalizer", out var normalizer))
            ReadNormalizer(normalizer, forms, ref lowercase, Where("normalizer"));

        string pattern = ReadPreTokenizer(root.TryGetProperty("pre_tokenizer", out var pre) ? pre : default, Where("pre_tokenizer"));
        if (root.TryGetProperty("decoder", out var decoder) && decoder.ValueKind == JsonValueKind.Object && !ContainsByteLevel(decoder))
            throw new NotSupportedException($"{Where("decoder")} is not ByteLevel; only byte-level BPE tokenizers are supported.");

        return new TokenizerJson
        {
            Vocab = vocab, Merges = merges, AddedTokens = added, Normalizations = forms.ToArray(),
            Lowercase = lowercase, SplitPattern = pattern,
        };
    }

    static bool Bool(JsonElement e, string name) => e.TryGetProperty(name, out var v) && v.ValueKind == JsonValueKind.True;

    static void ReadNormalizer(JsonElement n, List<NormalizationForm> forms, ref bool lowercase, string where)
    {
        if (n.ValueKind == JsonValueKind.Null) return;
        string type = n.GetProperty("type").GetString() ?? "";
        switch (type)
        {
            case "NFC": forms.Add(NormalizationForm.FormC); break;
            case "NFD": forms.Add(NormalizationForm.FormD); break;
            case "NFKC": forms.Add(NormalizationForm.FormKC); break;
            case "NFKD": forms.Add(NormalizationForm.FormKD); break;
            case "Lowercase": lowercase = true; break;
            case "Sequence":
                foreach (var inner in n.GetProperty("normalizers").EnumerateArray()) ReadNormalizer(inner, forms, ref lowercase, where);
                break;
            default: throw new NotSupportedException($"{where}: normalizer type '{type}' is not supported (supported: NFC, NFD, NFKC, NFKD, Lowercase, Sequence).");
        }
    }

    static string ReadPreTokenizer(JsonElement p, string where)
    {
        if (p.ValueKind is JsonValueKind.Undefined or JsonValueKind.Null)
            throw new NotSupportedException($"{where} is missing; a byte-level BPE tokenizer needs a Split or ByteLevel pre-tokenizer.");
        string? pattern = null;
        bool byteLevel = false;
        var steps = p.GetProperty("type").GetString() == "Sequence" ? p.GetProperty("pretokenizers").EnumerateArray().ToList() : [p];
        foreach (var step in steps)
        {
            string type = step.GetProperty("type").GetString() ?? "";
            if (type == "Split" && pattern is null)
            {
                var pat = step.GetProperty("pattern");
                pattern = pat.TryGetProperty("Regex", out var rx) ? rx.GetString()! : System.Text.RegularExpressions.Regex.Escape(pat.GetProperty("String").GetString()!);
                string behavior = step.TryGetProperty("behavior", out var b) ? b.GetString() ?? "" : "";
                if (behavior != "Isolated" || Bool(step, "invert"))
                    throw new NotSupportedException($"{where}: Split with behavior '{behavior}' (invert={Bool(step, "invert")}) is not supported; only Isolated.");
            }
            else if (type == "ByteLevel")
            {
                byteLevel = true;
                if (Bool(step, "add_prefix_space"))
                    throw new NotSupportedException($"{where}: ByteLevel add_prefix_space=true is not supported.");
                if (step.TryGetProperty("use_regex", out var ur) ? ur.ValueKind == JsonValueKind.True : true)
                    pattern ??= Gpt2Pattern;
            }
            else throw new NotSupportedException($"{where}: pre-tokenizer '{type}' is not supported (supported: Split(Isolated) + ByteLevel).");
        }
        if (!byteLevel) throw new NotSupportedException($"{where} has no ByteLevel step; only byte-level BPE tokenizers are supported.");
        return pattern ?? throw new NotSupportedException($"{where} has no split regex.");
    }

    static bool ContainsByteLevel(JsonElement d) =>
        d.GetProperty("type").GetString() switch
        {
            "ByteLevel" => true,
            "Sequence" => d.GetProperty("decoders").EnumerateArray().Any(ContainsByteLevel),
            _ => false,
        };
}
