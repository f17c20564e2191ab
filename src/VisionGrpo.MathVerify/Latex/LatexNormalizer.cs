using System.Text;
using System.Text.RegularExpressions;

namespace VisionGrpo.MathVerify.Latex;

/// <summary>Port of latex2sympy2_extended 1.10.2 <c>normalize_latex</c> (same steps, same order, same quirks).</summary>
internal static class LatexNormalizer
{
    // Compiled: these few fixed patterns run on every candidate answer, often on long texts.
    const RegexOptions Opt = RegexOptions.CultureInvariant | RegexOptions.Compiled;
    static readonly TimeSpan RegexTimeout = TimeSpan.FromSeconds(2);

    static Regex R(string p) => new(p, Opt, RegexTimeout);

    static readonly Regex LeftRe = R(@"\\m?left(\\\{|\{|\\\||\||\[|\(|\\rbracl|\\lgroup|\\lbrace|\\lbrack|\\vert|\\lvert|\\lceil|\\lfloor|\\vert|\\lvert|\\langle|\\llcorner|\\ulcorner)");
    static readonly Regex RightRe = R(@"\\m?right(\\\}|\}|\\\||\||\]|\)|\\rbrack|\\rgroup|\\rbrace|\\rbrack|\\vert|\\rvert|\\rceil|\\rfloor|\\vert|\\rvert|\\rangle|\\lrcorner|\\urcorner)");
    static readonly Regex PermutationRe = R(@"\(([a-zA-Z0-9+\-*/\\ ]+?)\)_{([a-zA-Z0-9+\-*/\\ ]+?)}");
    static readonly Regex ToRemoveRe = R(@"\\mathrm\{th\}|\\!\s*|\\text\s*\{\s*\}|\\\$|\$|(?<!\\)[""']|\\displaystyle");
    static readonly Regex CommandSlashRe = R(@"\\\\(?=[a-zA-Z])");
    static readonly Regex EquationSplitRe = R(@"(?<!\\|\<|\!|\>)=");
    static readonly Regex UnitSuperscriptRe = R(@"(\\(?:text|mbox){.*?})(\^\d|\{\^\d\})?$");
    static readonly Regex UnitsRe = R(@"(\d|\}|\s)\s*(?:(?:" + string.Join("|", UnitWords.All) + @")(?:s|es)?)\s*$");

    static readonly Regex UnitTailRe = R(@"(?:(?:" + string.Join("|", UnitWords.All) + @")(?:s|es)?)\s*$");

    /// <summary>
    /// The reference's leading <c>\s*</c>, but a match may only start at the beginning of a whitespace run. Python's
    /// leftmost match starts there anyway; this only stops the regex from rescanning long whitespace runs from every
    /// position (quadratic on hostile inputs). It differs only after a match that ended inside a run (whitespace only).
    /// </summary>
    const string Ws = @"(?:(?<!\s)\s+|)";

    static readonly (string name, string pattern, string replacement)[] ReplacePatterns =
    [
        ("math", @"\\math(?:rm|it|bf)", @"\text"),
        ("text", @"\\text(?:normal|bf|it|rm)", @"\text"),
        ("frac", @"\\(?:d|t|c)frac", @"\frac"),
        ("decimal_space", @"\s\.", " 0."),
        ("decimal_brace", @"\{\.", "{0."),
        ("approx", @"\~\=", @"\approx"),
        ("comma", Ws + @"\{\s*,\s*\}", ","),
        ("and_or", @"(?<![a-zA-Z])(,?" + Ws + @"(?:and|or))(?![a-zA-Z])", ","),
        ("and_or_text", @"(,?" + Ws + @"\\text{\s*(?:and|or)\s*})", ","),
        ("backslash_space", @"(?<!\\)\\\s", " "),
        ("infinity", "infinity", @"\infty"),
        ("dot", @",?(\\ldots)", " "),
        ("percentage", Ws + "percentage", @"\%"),
        ("percentage_in_text", @"\\text{percentage}", @"\%"),
        ("percent", Ws + "percent", @"\%"),
        ("percent_in_text", @"\\text{percent}", @"\%"),
        ("pct", Ws + "pct", @"\%"),
        ("pct_in_text", @"\\text{pct}", @"\%"),
        ("inf", @"((?<!\\)inf(?!inity))", @"\infty"),
        ("sqrt", " sqrt", @"\sqrt"),
    ];

    static readonly Regex ReplaceRe = R(string.Join("|", ReplacePatterns.Select(p => $"(?<{p.name.Replace("_", "")}>{p.pattern})")));

    static readonly (Regex re, string replacement)[] MalformedPatterns =
    [
        (R(@"\^\s?\((.*?)\)"), "^{$1}"),
        (R(@"sqrt\s?\((.*?)\)"), @"\sqrt{$1}"),
        (R(@"\\frac\s?(\d)\s?(\d+)"), @"\frac{$1}{$2}"),
        (R(@"\\log_\s?(\d)\s?(\d+)"), @"\log_{$1}{$2}"),
        (R(@"\\frac\s?{(.*?)}\s?(\d)"), @"\frac{$1}{$2}"),
        (R(@"\\frac\s?(\d)\s?{(.*?)}"), @"\frac{$1}{$2}"),
        (R(@"\\sqrt\s?(\d)"), @"\sqrt{$1}"),
    ];

    public static string Normalize(string text, NormalizationConfig config)
    {
        if (config.Boxed is "all" or "last") text = BoxedExtractor.Extract(text, config.Boxed == "last");
        if (config.BasicLatex) text = BasicLatex(text);
        if (config.Equations && !text.Contains(',') && !text.Contains(';'))
        {
            var parts = EquationSplitRe.Split(text);
            if (parts.Length > 2) text = parts[^1];
        }
        if (config.Units) text = StripUnits(text);
        if (config.Nits)
        {
            if (text.Length > 0 && text[0] == '.') text = "0" + text;
            if (text == "0.5") text = @"\frac{1}{2}";
        }
        if (config.MalformedOperators)
        {
            foreach (var (re, rep) in MalformedPatterns) text = re.Replace(text, rep);
            text = text.Replace(" sqrt", @"\sqrt", StringComparison.Ordinal);
            text = FixSqrt(text);
            text = FixFracs(text);
            text = FixSlash(text);
        }
        return text.Trim();
    }

    static string BasicLatex(string text)
    {
        text = text.Replace(@"\mathrm{T}", "T", StringComparison.Ordinal);
        text = text.Replace(@"\mathrm{d}", "d", StringComparison.Ordinal).Replace(@"{\rm d}", "d", StringComparison.Ordinal);
        text = text.Replace(@"\left[\begin{matrix}", @"\begin{bmatrix}", StringComparison.Ordinal).Replace(@"\end{matrix}\right]", @"\end{bmatrix}", StringComparison.Ordinal);
        text = LeftRe.Replace(text, "$1");
        text = RightRe.Replace(text, "$1");
        text = PermutationRe.Replace(text, @"\frac{($1)!}{(($1)-($2))!}");
        text = ToRemoveRe.Replace(text, "");
        text = ReplaceRe.Replace(text, m =>
        {
            foreach (var (name, _, rep) in ReplacePatterns) if (m.Groups[name.Replace("_", "")].Success) return rep;
            return m.Value;
        });
        text = text.Replace('\n', ' ').Replace('\t', ' ');
        if (!text.Contains("matrix", StringComparison.Ordinal)) text = CommandSlashRe.Replace(text, @"\");
        return text;
    }

    static string StripUnits(string text)
    {
        // The superscript pattern is anchored at the end: without a closing brace (or ^d) there, it cannot match.
        if (EndsLikeUnitText(text))
        {
            var t = UnitSuperscriptRe.Replace(text, "").Trim();
            if (t.Length > 0 && t != text) text = t;
        }
        for (int i = 0; i < 2; i++)
        {
            var t = ReplaceUnitWord(text);
            if (t.Length > 0 && t != text) text = t;
        }
        return text;
    }

    static bool EndsLikeUnitText(string text)
    {
        int n = text.Length;
        if (n == 0) return false;
        if (text[n - 1] == '}') return true;
        return n >= 2 && char.IsDigit(text[n - 1]) && text[n - 2] == '^';
    }

    /// <summary>
    /// The unit regex can only match when a unit word ends right before the trailing whitespace; checking that on
    /// the last few characters first avoids the regex's quadratic scan of long whitespace runs (same results).
    /// </summary>
    static string ReplaceUnitWord(string text)
    {
        int end = text.Length;
        while (end > 0 && char.IsWhiteSpace(text[end - 1])) end--;
        int p = Math.Max(0, end - 24);
        if (!UnitTailRe.IsMatch(text.AsSpan(p, end - p))) return text;
        return UnitsRe.Replace(text, "$1");
    }

    static string FixSqrt(string text)
    {
        if (!text.Contains(@"\sqrt", StringComparison.Ordinal)) return text;
        var splits = text.Split(@"\sqrt");
        var sb = new StringBuilder(splits[0]);
        foreach (var s0 in splits.Skip(1))
        {
            var s = s0.TrimStart();
            if (s.Length > 0 && s[0] != '{' && s[0] != '[') sb.Append(@"\sqrt{").Append(s[0]).Append('}').Append(s[1..]);
            else sb.Append(@"\sqrt").Append(s);
        }
        return sb.ToString();
    }

    static string FixFracs(string text)
    {
        var subs = text.Split(@"\frac");
        var sb = new StringBuilder(subs[0]);
        foreach (var s0 in subs.Skip(1))
        {
            var s = s0.TrimStart();
            sb.Append(@"\frac");
            if (s.Length > 0 && s[0] == '{') { sb.Append(s); continue; }
            if (s.Length < 2) return text;
            char a = s[0], b = s[1];
            if (b != '{') sb.Append('{').Append(a).Append("}{").Append(b).Append('}').Append(s[2..]);
            else sb.Append('{').Append(a).Append('}').Append(b).Append(s[2..]);
        }
        return sb.ToString();
    }

    static string FixSlash(string text)
    {
        var parts = text.Split('/');
        if (parts.Length != 2) return text;
        if (!PyInt(parts[0], out var a) || !PyInt(parts[1], out var b)) return text;
        if (text != $"{a}/{b}") return text;
        return $"\\frac{{{a}}}{{{b}}}";
    }

    /// <summary>Python's <c>int(s)</c>: optional surrounding whitespace, sign, digits (underscores ignored here).</summary>
    static bool PyInt(string s, out System.Numerics.BigInteger value)
    {
        value = default;
        var t = s.Trim();
        if (t.Length == 0) return false;
        int i = t[0] is '+' or '-' ? 1 : 0;
        if (i >= t.Length || !t[i..].All(char.IsAsciiDigit)) return false;
        return System.Numerics.BigInteger.TryParse(t, System.Globalization.CultureInfo.InvariantCulture, out value);
    }
}
