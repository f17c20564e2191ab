using System.Collections.Concurrent;
using System.Runtime.CompilerServices;
using System.Text.RegularExpressions;

namespace VisionGrpo.MathVerify.Extraction;

/// <summary>The reference's extraction regexes and their priorities (Math-Verify 0.8.0 <c>parser.py</c>).</summary>
internal static class ExtractionRegexes
{
    const RegexOptions Opt = RegexOptions.CultureInvariant;
    static readonly TimeSpan MatchTimeout = TimeSpan.FromSeconds(5);
    static readonly ConcurrentDictionary<ExtractionTarget, IReadOnlyList<(Regex re, int priority)>> Cache = new();

    public static IReadOnlyList<(Regex re, int priority)> For(ExtractionTarget target) => Cache.GetOrAdd(target, t => t switch
    {
        LatexExtractionConfig l => Latex(l),
        ExprExtractionConfig e => Expr(e),
        StringExtractionConfig s => Strings(s),
        _ => throw new ArgumentException("unknown extraction target", nameof(target)),
    });

    static readonly ConditionalWeakTable<Regex, object> BoxedPatterns = new();

    /// <summary>True for the two boxed patterns (they can only match text containing <c>\boxed{</c>).</summary>
    public static bool NeedsBoxed(Regex re) => BoxedPatterns.TryGetValue(re, out _);

    static Regex Boxed(Regex re) { BoxedPatterns.AddOrUpdate(re, true); return re; }

    static Regex R(string pattern, RegexOptions extra = RegexOptions.None) => new(pattern, Opt | extra, MatchTimeout);

    static IReadOnlyList<(Regex, int)> Strings(StringExtractionConfig c)
    {
        string keys = "(?<string_keys>" + string.Join("|", c.EffectiveStrings.Select(Regex.Escape)) + ")";
        string suffix = @"(?:\*\*)?(?:\.|,|:|\s|$)";
        string answerRe = @"(^|\s)(?:\*\*)?" + keys + suffix;
        string answerStart = @"^(?:\*\*)?" + keys + suffix;
        var list = new List<(Regex, int)>
        {
            (R(@"(?i:final answer is)\:?\s*" + keys + @"\.?\s?I hope"), 0),
            (R(@"(?i:final answer.{0,100}?)\s+is\:?\s*" + keys), 50),
            (R(@"(?i:answer):.{0,50}?" + answerRe), 100),
            (R(@"(?i:answer).{0,50}?" + answerRe), 200),
        };
        if (c.TryExtractWithoutAnchor) { list.Add((R(answerStart), 250)); list.Add((R(answerRe), 300)); }
        return list;
    }

    const string NumberRe =
        @"(?<!\d)(?:(?<integer1>-?[1-9]\d{0,2}(?:[ ,]\d{3})+)(?<decimal1>\.\d+)?|(?<integer2>-?\d+)(?<decimal2>[.,]\d+)|(?<decimal3>\.\d+)|(?<integer3>-?\d+))(?<percent>\s*(?:%|[Pp]ercent|\s*[Pp]ercentage|\s*[Pp]ct))?";

    static IReadOnlyList<(Regex, int)> Expr(ExprExtractionConfig c)
    {
        const string ops = @"\+\-\*\×\/\^\(\)\÷";
        const string allChars = @"[\d\.\s" + ops + "]";
        string exprRe = @"(?<expr>-?\(?-?\d" + allChars + "*[" + ops + "]" + allChars + @"+\)?)";
        string currency = Regex.Escape("$€£¥₹₽₪₩₫฿₡₢₣₤₥₦₧₨₩₪₫₭₮₯₰₱₲₳₴₵₶₷₸₹₺₻₼₽₾₿");
        const string prefix = @"(?:^|\s|\=)(?:\*\*)?";
        const string suffix = @"(?:\*\*)?(?:\.|,|:|\s|\)|\$|$)";
        string exprWithAnchors = "(?:" + prefix + exprRe + suffix + ")";
        string numberWithAnchors = "(?:" + prefix + "[" + currency + "]?" + NumberRe + ")";
        string exprOrNumber = "(?:" + exprWithAnchors + "|" + numberWithAnchors + ")";
        var list = new List<(Regex, int)>
        {
            (R(@"(?i:final answer is)\:?\s*" + exprOrNumber + @"\.?\s?I hope"), 0),
            (R(@"(?i:final answer.{0,100}?)\s+is\:?" + exprOrNumber), 50),
            (R(@"(?i:answer):(?:.{0,100}=\s*|.{0,50}?)" + exprOrNumber + @"(?!\s*=)"), 100),
            (R(@"(?i:answer)(?:.{0,100}=\s*|.{0,50}?)" + exprOrNumber + @"(?!\s*=)"), 200),
        };
        if (c.TryExtractWithoutAnchor) { list.Add((R(exprWithAnchors), 300)); list.Add((R(numberWithAnchors), 300)); }
        return list;
    }

    static string LatexEnv(string prefix, bool boxed)
    {
        string percent = $@"(?<{prefix}percent>(?:\\?%|[Pp]ercent|[Pp]ercentage|[Pp]ct))";
        string dd = @"(?:[^$]|\$(?!\$))";
        string db = @"(?:[^\\]|\\(?!\]))";
        string id = @"(?:\\[$]|[^\n$])";
        string ip = @"(?:[^\\\n]|\\(?!\)))";
        string ib = @"[^\n\]\[]";
        if (boxed)
        {
            static string B(string c) => $@"{c}*?\\boxed{{{c}+?}}{c}*?";
            dd = B(dd); db = B(db); id = B(id); ip = B(ip); ib = B(ib);
        }
        else { dd += "+?"; db += "+?"; id += "+?"; ip += "+?"; ib += "+?"; }
        var patterns = new List<string>
        {
            $@"(?<!\\)\$\$(?<{prefix}latexDisplayDollar>{dd})(?<!\\)\$\$",
            $@"(?<!\\)\\\[(?<{prefix}latexDisplayBracket>{db})(?<!\\)\\\]",
            $@"(?<!\\|\d)\$(?<{prefix}latexInlineDollar>{id})(?<!\\)\$",
            $@"(?<!\\)\\\((?<{prefix}latexInlineParenthesis>{ip})(?<!\\)\\\)",
            $@"\s\[(?<{prefix}latexInlineBracket>{ib})\]\s",
        };
        if (!boxed)
        {
            const string simple = @"-?\d+(?:[.,]\d+)?";
            patterns.Add($@"(?<{prefix}latexFraction>-?\\frac{{{simple}}}{{{simple}}})");
        }
        return "(?:(?:" + string.Join("|", patterns) + @")\s*" + percent + "?)";
    }

    static IReadOnlyList<(Regex, int)> Latex(LatexExtractionConfig c)
    {
        string first = LatexEnv("first_", false);
        string next = string.Concat(Enumerable.Range(1, 5).Select(i => $@"(?:\s*(?:,?and|,?or|,)\s*{LatexEnv($"next{i}_", false)})?"));
        string envs = "(?:" + first + next + ")";
        var list = new List<(Regex, int)>
        {
            (R(@"(?i:final answer is)\:?\s*" + envs + @"\.?\s?I hope", RegexOptions.Singleline), 0),
            (R(@"(?i:final answer.{0,100}?)\s+is\:?\s*" + envs, RegexOptions.Singleline), 50),
            (R(@"(?i:answer):.{0,50}?" + envs, RegexOptions.Singleline), 100),
            (R(@"(?i:answer).{0,50}?" + envs, RegexOptions.Singleline), 200),
        };
        if (c.TryExtractWithoutAnchor) list.Add((R(envs, RegexOptions.Singleline), 300));
        if (c.BoxedMatchPriority >= 0)
        {
            string boxedFirst = LatexEnv("first_", true);
            string boxedNext = string.Concat(Enumerable.Range(1, 5).Select(i => $@"\s*(?:\s*(?:,?and|,?or|,)\s*{LatexEnv($"next{i}_", true)})?"));
            list.Add((Boxed(R(boxedFirst + boxedNext, RegexOptions.Singleline)), c.BoxedMatchPriority));
            list.Add((Boxed(R(@"(?<first_latexBoxed>\\boxed{.+})", RegexOptions.Singleline)), c.BoxedMatchPriority));
        }
        return list;
    }
}
