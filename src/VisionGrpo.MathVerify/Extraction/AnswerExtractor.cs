using System.Text.RegularExpressions;
using VisionGrpo.MathVerify.Algebra;
using VisionGrpo.MathVerify.Latex;


namespace VisionGrpo.MathVerify.Extraction;

/// <summary>The selection algorithm of <c>parse</c>: priority groups, rightmost match first, first parse wins.</summary>
internal static class AnswerExtractor
{
    public static List<object> Extract(string text, IReadOnlyList<ExtractionTarget> targets, FallbackMode fallback, ExtractionMode mode)
    {
        var patterns = targets.SelectMany(t => ExtractionRegexes.For(t).Select(p => (p.re, p.priority, target: t)))
            .OrderBy(p => p.priority).ToList();
        var results = new List<object>();
        var fallbacks = new List<string>();
        bool matchFound = false;
        bool hasBoxed = text.Contains(@"\boxed{", StringComparison.Ordinal);
        foreach (var group in patterns.GroupBy(p => p.priority))
        {
            var matches = new List<(Match m, ExtractionTarget t)>();
            foreach (var (re, _, t) in group)
            {
                // Boxed patterns need a literal "\boxed{"; skipping them on texts without one saves their slow scan.
                if (ExtractionRegexes.NeedsBoxed(re) && !hasBoxed) continue;
                for (var m = re.Match(text); m.Success; m = m.NextMatch())
                {
                    ComputeGuard.Check();
                    matches.Add((m, t));
                    if (m.Length == 0) break;
                }
            }
            // Rightmost end first; for equal ends the longer (earlier start) match first. Stable like Python's sort.
            var ordered = matches.Select((x, i) => (x, i)).OrderByDescending(p => p.x.m.Index + p.x.m.Length).ThenBy(p => p.x.m.Index).ThenBy(p => p.i).Select(p => p.x);
            foreach (var (m, t) in ordered)
            {
                var (value, str) = ExtractMatch(m, t);
                matchFound = true;
                if (!string.IsNullOrEmpty(str)) fallbacks.Add(str);
                if (value != null) { results.Add(value); break; }
                if (mode == ExtractionMode.FirstMatch) break;
            }
            if (results.Count > 0 || (matchFound && mode == ExtractionMode.FirstMatch)) break;
        }
        if (fallback == FallbackMode.FirstMatch && fallbacks.Count > 0) results.Add(fallbacks[0]);
        return results;
    }

    static (object? value, string str) ExtractMatch(Match m, ExtractionTarget t) => t switch
    {
        LatexExtractionConfig l => ExtractLatex(m, l),
        ExprExtractionConfig => ExtractExpr(m),
        StringExtractionConfig s => (s.Lowercase ? m.Groups["string_keys"].Value.ToLowerInvariant() : m.Groups["string_keys"].Value, m.Groups["string_keys"].Value),
        _ => (null, ""),
    };

    static readonly string[] LatexGroups = ["latexDisplayDollar", "latexDisplayBracket", "latexInlineDollar", "latexInlineParenthesis", "latexInlineBracket", "latexFraction", "latexBoxed"];

    static (object? value, string str) ExtractLatex(Match m, LatexExtractionConfig config)
    {
        var values = new List<Expr?>();
        var strs = new List<string>();
        foreach (var prefix in new[] { "first", "next1", "next2", "next3", "next4", "next5" })
        {
            string? content = null, groupName = null;
            foreach (var g in LatexGroups)
            {
                var grp = m.Groups[prefix + "_" + g];
                if (grp.Success && grp.Value.Length > 0) { content = grp.Value; groupName = g; break; }
            }
            if (content == null) continue;
            bool pct = m.Groups[prefix + "_percent"].Success && m.Groups[prefix + "_percent"].Value.Length > 0;
            var norm = config.EffectiveNormalization;
            if (groupName == "latexBoxed") norm = norm with { Boxed = "last" };
            var normalized = LatexNormalizer.Normalize(content, norm);
            strs.Add(normalized);
            try
            {
                var v = LatexConverter.Convert(normalized);
                values.Add(pct ? new Pct(v) : v);
            }
            catch (Exception ex) when (ex is not MathTimeoutException) { values.Add(null); }
        }
        if (values.Count == 0) return (null, "");
        if (values.Count > 1 && values.All(v => v != null))
        {
            var all = values.SelectMany(v => v is FSet f ? f.Items : [v!]);
            return (new MathValue(new FSet(all)), string.Join(" and ", strs));
        }
        return (values[0] is { } v0 ? new MathValue(v0) : null, strs[0]);
    }

    static (object? value, string str) ExtractExpr(Match m)
    {
        string integer = new[] { "integer1", "integer2", "integer3" }.Select(g => m.Groups[g]).FirstOrDefault(g => g.Success && g.Value.Length > 0)?.Value ?? "";
        string dec = new[] { "decimal1", "decimal2", "decimal3" }.Select(g => m.Groups[g]).FirstOrDefault(g => g.Success && g.Value.Length > 0)?.Value ?? "";
        bool pct = m.Groups["percent"].Success && m.Groups["percent"].Value.Length > 0;
        if (integer.Length > 0 || dec.Length > 0)
        {
            bool neg = integer.StartsWith('-');
            var digits = integer.Replace(",", "").Replace(" ", "").TrimStart('0');
            // Python's lstrip("0") keeps the sign, so "-0" stays "-0" and "-012" stays "-012".
            if (neg) digits = integer.Replace(",", "").Replace(" ", "");
            if (digits.Length == 0) digits = "0";
            dec = dec.Replace(',', '.');
            var numberStr = digits + dec;
            var number = Latex.LatexParser.NumberFromText(numberStr);
            return (new MathValue(pct ? new Pct(number) : number), numberStr);
        }
        var expr = m.Groups["expr"].Success ? m.Groups["expr"].Value : "";
        if (expr.Length > 0)
        {
            try { return (new MathValue(PythonExprParser.Parse(expr.Replace("\n", " ").Replace("^", "**"))), expr); }
            catch (Exception ex) when (ex is not MathTimeoutException) { }
        }
        return (null, expr);
    }
}
