using VisionGrpo.MathVerify.Latex;

namespace VisionGrpo.MathVerify.Extraction;

/// <summary>An answer extractor: which regexes look for candidate answers and how they are converted.</summary>
/// <param name="TryExtractWithoutAnchor">Also accept matches without an anchor such as "answer:" or "final answer is".</param>
public abstract record ExtractionTarget(bool TryExtractWithoutAnchor);

/// <summary>Extracts LaTeX spans (<c>$…$</c>, <c>\(…\)</c>, <c>\[…\]</c>, <c>\boxed{}</c>, …) and parses them.</summary>
/// <param name="TryExtractWithoutAnchor">Allow un-anchored LaTeX spans.</param>
/// <param name="BoxedMatchPriority">Priority of the <c>\boxed</c> patterns (0 = tried first, −1 = disabled).</param>
/// <param name="Normalization">Normalization applied to every span (null: <see cref="NormalizationConfig.LatexDefault"/>).</param>
public sealed record LatexExtractionConfig(bool TryExtractWithoutAnchor = true, int BoxedMatchPriority = 50, NormalizationConfig? Normalization = null)
    : ExtractionTarget(TryExtractWithoutAnchor)
{
    /// <summary>The effective normalization.</summary>
    public NormalizationConfig EffectiveNormalization => Normalization ?? NormalizationConfig.LatexDefault;
}

/// <summary>Extracts plain numbers (<c>1,000.5</c>, <c>50%</c>) and arithmetic expressions (<c>1/2</c>).</summary>
/// <param name="TryExtractWithoutAnchor">Allow un-anchored numbers and expressions.</param>
public sealed record ExprExtractionConfig(bool TryExtractWithoutAnchor = true) : ExtractionTarget(TryExtractWithoutAnchor);

/// <summary>Extracts literal keys such as multiple-choice letters (case-sensitive match).</summary>
/// <param name="Strings">The keys (default A, B, C, D).</param>
/// <param name="TryExtractWithoutAnchor">Allow un-anchored keys.</param>
/// <param name="Lowercase">Lower-case the returned value (not the match).</param>
public sealed record StringExtractionConfig(IReadOnlyList<string>? Strings = null, bool TryExtractWithoutAnchor = true, bool Lowercase = true)
    : ExtractionTarget(TryExtractWithoutAnchor)
{
    /// <summary>The effective keys.</summary>
    public IReadOnlyList<string> EffectiveStrings => Strings ?? ["A", "B", "C", "D"];

    /// <inheritdoc />
    public bool Equals(StringExtractionConfig? other) =>
        other is not null && TryExtractWithoutAnchor == other.TryExtractWithoutAnchor && Lowercase == other.Lowercase && EffectiveStrings.SequenceEqual(other.EffectiveStrings);

    /// <inheritdoc />
    public override int GetHashCode() => HashCode.Combine(TryExtractWithoutAnchor, Lowercase, string.Join("\u0001", EffectiveStrings));
}

/// <summary>Whether extraction stops after the first attempted match or continues until one parses.</summary>
public enum ExtractionMode
{
    /// <summary>Stop after the first match even if it does not parse.</summary>
    FirstMatch,
    /// <summary>Try further matches and priorities until one parses.</summary>
    AnyMatch,
}

/// <summary>Whether the first matched string is appended to the parse result.</summary>
public enum FallbackMode
{
    /// <summary>Only parsed values.</summary>
    NoFallback,
    /// <summary>Also the first attempted match's string.</summary>
    FirstMatch,
}
