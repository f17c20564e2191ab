using System.Text.Json.Nodes;
using VisionGrpo.MathVerify;
using VisionGrpo.MathVerify.Algebra;
using VisionGrpo.MathVerify.Latex;
using VisionGrpo.MathVerify.Verification;

namespace VisionGrpo.Parity.MathVerify;

/// <summary>
/// Runs one row of the reference corpus (kinds verify, parse, reward, latex2sympy, latex2sympy_pair, normalize,
/// sympy_expr_eq, behavior) and reports our result in the corpus's <c>actual</c> format.
/// </summary>
public static class FixtureRowEvaluator
{
    /// <summary>Our result for the row (bool, list of strings, number or null, "raises", normalized string…).</summary>
    /// <exception cref="FormatException">The row lacks a field its kind needs.</exception>
    public static JsonNode? Evaluate(JsonObject row)
    {
        ArgumentNullException.ThrowIfNull(row);
        string kind = Str(row, "kind");
        var p = row["params"] as JsonObject;
        string? gold = row["gold"]?.GetValue<string>();
        string? pred = row["pred"]?.GetValue<string>();
        switch (kind)
        {
            case "verify":
            {
                var g = MathVerifier.Parse(Need(gold, "gold"), FixtureParams.Targets(p?["gold_targets"]), FixtureParams.Fallback(p?["fallback_mode"]), FixtureParams.Mode(p?["extraction_mode"]));
                var a = MathVerifier.Parse(Need(pred, "pred"), FixtureParams.Targets(p?["pred_targets"]), FixtureParams.Fallback(p?["fallback_mode"]), FixtureParams.Mode(p?["extraction_mode"]));
                return MathVerifier.Verify(g, a, FixtureParams.Options(p));
            }
            case "parse":
            {
                var r = MathVerifier.Parse(Need(pred, "pred"), FixtureParams.Targets(p?["pred_targets"]), FixtureParams.Fallback(p?["fallback_mode"]), FixtureParams.Mode(p?["extraction_mode"]));
                return new JsonArray(r.Select(x => (JsonNode?)JsonValue.Create(x.ToString())).ToArray());
            }
            case "reward":
            {
                var delims = p?["reasoning_delimiters"] is JsonArray d ? d.Select(x => x!.GetValue<string>()).ToList() : null;
                var score = TrlAccuracy.Score(Need(gold, "gold"), Need(pred, "pred"), delims);
                return score is double v ? JsonValue.Create(v) : null;
            }
            case "latex2sympy":
            {
                Expr value;
                try { value = LatexParser.Parse(LatexNormalizer.Normalize(Need(pred, "pred"), new NormalizationConfig())); }
                catch (Exception ex) when (MathVerifier.IsRecoverable(ex)) { return "raises"; }
                if (gold == null) return false;
                return ExpectedValues(gold, p?["gold_srepr"]?.GetValue<string>()).Any(e => SameValue(value, e));
            }
            case "latex2sympy_pair":
            {
                var norm = new NormalizationConfig();
                var a = LatexParser.Parse(LatexNormalizer.Normalize(Need(pred, "pred"), norm));
                var b = LatexParser.Parse(LatexNormalizer.Normalize(Need(gold, "gold"), norm));
                return a.Key == b.Key;
            }
            case "normalize":
                return LatexNormalizer.Normalize(Need(pred, "pred"), FixtureParams.Normalization(p?["normalization"]) ?? new NormalizationConfig());
            case "sympy_expr_eq":
            {
                var g = SympyStringParser.Parse(p?["gold_sympy"]?.GetValue<string>() ?? Need(gold, "gold"));
                var a = SympyStringParser.Parse(p?["pred_sympy"]?.GetValue<string>() ?? Need(pred, "pred"));
                var o = FixtureParams.Options(p);
                return new ExprEquality(o.FloatRounding, o.Strict, o.AllowSetRelationComp).Equal(g, a);
            }
            case "behavior":
                return Behavior(row);
        }
        throw new FormatException($"unknown row kind '{kind}'");
    }

    /// <summary>Whether <paramref name="actual"/> agrees with the row's <c>expected</c> field.</summary>
    public static bool Agrees(JsonObject row, JsonNode? actual)
    {
        ArgumentNullException.ThrowIfNull(row);
        var expected = row["expected"];
        string kind = Str(row, "kind");
        if (kind == "normalize") return (actual?.GetValue<string>() == row["gold"]?.GetValue<string>()) == (expected?.GetValue<bool>() ?? true);
        if (kind == "parse" && expected is JsonObject eo && actual is JsonArray arr)
        {
            if (eo["count"] is JsonNode c) return arr.Count == c.GetValue<int>();
            if (eo["first"] is JsonNode f && (arr.Count == 0 || arr[0]!.GetValue<string>() != f.GetValue<string>())) return false;
            if (eo["fallback"] is JsonNode fb && (arr.Count == 0 || arr[^1]!.GetValue<string>() != fb.GetValue<string>())) return false;
            return true;
        }
        return JsonNode.DeepEquals(Canon(expected), Canon(actual));
    }

    static JsonNode? Canon(JsonNode? n) => n is JsonValue v && v.TryGetValue<double>(out var d) ? JsonValue.Create(d) : n;

    /// <summary>
    /// The expected value of a converter row in its two spellings: srepr (exact types and quoted names, so symbols
    /// such as <c>x\beta 10_{y\alpha 20}</c> stay intact where str() is ambiguous) and str() (for the few srepr heads
    /// we do not read: Derivative, MatMul…).
    /// </summary>
    static IEnumerable<Expr> ExpectedValues(string str, string? srepr)
    {
        Expr? fromSrepr = null, fromStr = null;
        if (srepr != null)
            try { fromSrepr = SympyStringParser.Parse(srepr); }
            catch (Exception ex) when (ex is FormatException or ArgumentOutOfRangeException or InvalidCastException) { }
        if (fromSrepr != null) yield return fromSrepr;
        try { fromStr = SympyStringParser.Parse(str); }
        catch (FormatException) when (fromSrepr != null) { }
        if (fromStr != null) yield return fromStr;
    }

    /// <summary>
    /// The converter tests' own criterion (tests/context.py <c>assert_equal</c>): same tree, or for numbers the same
    /// value (their Float/Integer spellings of one number, e.g. 9.1e301 vs 91·10³⁰⁰, count as equal there).
    /// </summary>
    static bool SameValue(Expr ours, Expr expected)
    {
        if (ours.Key == expected.Key) return true;
        if (Numeric.TryReal(ours, out var a) && Numeric.TryReal(expected, out var b) && double.IsFinite(a) && (a == b || Math.Abs(a - b) <= 1e-12 * Math.Abs(b)))
            return true;
        try { return new ExprEquality(6, true, false).Equal(expected, ours) || NumericEquality.SymbolicEq(expected, ours); }
        catch (Exception ex) when (MathVerifier.IsRecoverable(ex)) { return false; }
    }

    static JsonNode? Behavior(JsonObject row)
    {
        // The reference mocks a slow parser / comparison; we exercise our own limits: an exhausted budget must give
        // an empty parse and a false comparison, never an exception.
        using var cts = new CancellationTokenSource();
        cts.Cancel();
        string source = row["source"]?.GetValue<string>() ?? "";
        if (row["expected"] is JsonObject)
            return new JsonObject { ["parse_result"] = new JsonArray(MathVerifier.Parse(row["pred"]?.GetValue<string>() ?? "", cancellationToken: cts.Token).Select(x => (JsonNode?)JsonValue.Create(x.ToString())).ToArray()) };
        // As the reference test, only the parsed values (first items) are compared.
        var g = MathVerifier.Parse(row["gold"]?.GetValue<string>() ?? "").Take(1).ToList();
        var a = MathVerifier.Parse(row["pred"]?.GetValue<string>() ?? "").Take(1).ToList();
        return source.Contains("raise_on_error", StringComparison.Ordinal)
            ? MathVerifier.Verify(g, a, new VerifyOptions(Timeout: TimeSpan.FromTicks(1)), cts.Token)
            : MathVerifier.Verify(g, a, null, cts.Token);
    }

    static string Str(JsonObject row, string key) => row[key]?.GetValue<string>() ?? throw new FormatException($"row has no '{key}' field");
    static string Need(string? v, string field) => v ?? throw new FormatException($"row has no '{field}' field");
}
