using System.Text.RegularExpressions;
using VisionGrpo.MathVerify.Algebra;

namespace VisionGrpo.MathVerify.Latex;

/// <summary>
/// <c>parse_latex_cached</c>: converts normalized LaTeX; on failure retries with the text after the last <c>=</c>
/// when there are at least two and no list separators.
/// </summary>
internal static class LatexConverter
{
    static readonly Regex EquationSplit = new(@"(?<!\\|\<|\!|\>)=", RegexOptions.CultureInvariant);

    public static Expr Convert(string latex)
    {
        try { return LatexParser.Parse(latex); }
        catch (Exception ex) when (ex is LatexParseException or ArithmeticException or NotEvaluableException or InvalidCastException)
        {
            var last = LastEquation(latex);
            if (last != latex) return LatexParser.Parse(last);
            throw;
        }
    }

    public static string LastEquation(string latex)
    {
        if (latex.Contains(',') || latex.Contains(';')) return latex;
        var parts = EquationSplit.Split(latex);
        return parts.Length > 2 ? parts[^1] : latex;
    }
}
