using System.Text.Json.Nodes;
using VisionGrpo.MathVerify;
using VisionGrpo.MathVerify.Extraction;
using VisionGrpo.MathVerify.Latex;

namespace VisionGrpo.Parity.MathVerify;

/// <summary>Reads the <c>params</c> object of a fixture row (same schema as the reference's test corpus).</summary>
internal static class FixtureParams
{
    public static IReadOnlyList<ExtractionTarget> Targets(JsonNode? list)
    {
        if (list is not JsonArray arr) return MathVerifier.DefaultTargets;
        return arr.Select(t => Target(t!.AsObject())).ToList();
    }

    static ExtractionTarget Target(JsonObject t)
    {
        bool anchorless = t["try_extract_without_anchor"]?.GetValue<bool>() ?? true;
        string type = t["type"]?.GetValue<string>() ?? throw new FormatException("extraction target without 'type'");
        return type switch
        {
            "latex" => new LatexExtractionConfig(anchorless, t["boxed_match_priority"]?.GetValue<int>() ?? 50, Normalization(t["normalization"])),
            "expr" => new ExprExtractionConfig(anchorless),
            "string" => new StringExtractionConfig(t["strings"] is JsonArray s ? s.Select(x => x!.GetValue<string>()).ToList() : null, anchorless, t["lowercase"]?.GetValue<bool>() ?? true),
            _ => throw new FormatException($"unknown extraction target type '{type}'"),
        };
    }

    public static NormalizationConfig? Normalization(JsonNode? n)
    {
        if (n is not JsonObject o) return null;
        bool B(string k, bool d) => o[k] is JsonValue v && v.TryGetValue<bool>(out var b) ? b : d;
        string boxed = o["boxed"] is JsonValue bv ? (bv.TryGetValue<string>(out var s) ? s : bv.ToJsonString()) : "all";
        return new NormalizationConfig(B("basic_latex", true), B("units", false), B("malformed_operators", false), B("nits", false), boxed, B("equations", false));
    }

    public static ExtractionMode Mode(JsonNode? n) => n?.GetValue<string>() == "first_match" ? ExtractionMode.FirstMatch : ExtractionMode.AnyMatch;
    public static FallbackMode Fallback(JsonNode? n) => n?.GetValue<string>() == "no_fallback" ? FallbackMode.NoFallback : FallbackMode.FirstMatch;

    public static VerifyOptions Options(JsonObject? p) => new(
        p?["float_rounding"]?.GetValue<int>() ?? 6,
        p?["numeric_precision"]?.GetValue<int>() ?? 15,
        p?["strict"]?.GetValue<bool>() ?? true,
        p?["allow_set_relation_comp"]?.GetValue<bool>() ?? false);
}
