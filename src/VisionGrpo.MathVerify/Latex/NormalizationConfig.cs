namespace VisionGrpo.MathVerify.Latex;

/// <summary>
/// Which LaTeX clean-ups run before parsing (Math-Verify / latex2sympy2_extended <c>NormalizationConfig</c>).
/// The defaults are the class defaults of the reference (basic_latex + boxed="all"); <see cref="LatexDefault"/> is
/// what <c>LatexExtractionConfig()</c> uses.
/// </summary>
/// <param name="BasicLatex">Command replacements (<c>\dfrac</c>→<c>\frac</c>, <c>\left</c> removal, quotes, dollars…).</param>
/// <param name="Units">Strip trailing unit words and <c>\text{…}</c> units.</param>
/// <param name="MalformedOperators">Repair <c>\frac12</c>, <c>\sqrt3</c>, <c>sqrt(x)</c>, <c>^(x)</c>, <c>a/b</c>.</param>
/// <param name="Nits">Leading <c>.</c> → <c>0.</c>; the exact string <c>0.5</c> → <c>\frac{1}{2}</c>.</param>
/// <param name="Boxed"><c>"all"</c>, <c>"last"</c> or anything else (off): how <c>\boxed{}</c> contents are extracted.</param>
/// <param name="Equations">Deprecated: keep only the part after the last <c>=</c>.</param>
public sealed record NormalizationConfig(
    bool BasicLatex = true,
    bool Units = false,
    bool MalformedOperators = false,
    bool Nits = false,
    string Boxed = "all",
    bool Equations = false)
{
    /// <summary>The normalization of <c>LatexExtractionConfig()</c>: everything on except equations.</summary>
    public static NormalizationConfig LatexDefault { get; } = new(true, true, true, true, "all", false);
}
