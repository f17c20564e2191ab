using VisionGrpo.MathVerify.Algebra;
using VisionGrpo.MathVerify.Extraction;
using VisionGrpo.MathVerify.Verification;

namespace VisionGrpo.MathVerify;

/// <summary>
/// Entry points of the Math-Verify port: <see cref="Parse"/> extracts answers from text, <see cref="Verify"/>
/// compares gold and predicted answers. Thread-safe: no shared mutable state; time limits are cooperative.
/// </summary>
public static class MathVerifier
{
    /// <summary>The default extractors: LaTeX then plain expressions.</summary>
    public static IReadOnlyList<ExtractionTarget> DefaultTargets { get; } = [new LatexExtractionConfig(), new ExprExtractionConfig()];

    /// <summary>
    /// Extracts and parses the answer of <paramref name="text"/>. Returns 0–2 items: the parsed <see cref="MathValue"/>
    /// (if any) and, with <see cref="FallbackMode.FirstMatch"/>, the first matched string. Never throws for bad input:
    /// errors and timeouts give an empty list.
    /// </summary>
    /// <param name="text">Model output or gold solution.</param>
    /// <param name="targets">Extractors (default <see cref="DefaultTargets"/>).</param>
    /// <param name="fallback">Whether to append the first matched string.</param>
    /// <param name="mode">Stop after the first match or keep trying.</param>
    /// <param name="timeout">Budget for the whole call (default 5 s).</param>
    /// <param name="cancellationToken">Cancels the call (result: empty list).</param>
    public static IReadOnlyList<object> Parse(string text, IReadOnlyList<ExtractionTarget>? targets = null,
        FallbackMode fallback = FallbackMode.FirstMatch, ExtractionMode mode = ExtractionMode.AnyMatch,
        TimeSpan? timeout = null, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(text);
        try
        {
            using var guard = ComputeGuard.Start(timeout ?? TimeSpan.FromSeconds(5), cancellationToken);
            return AnswerExtractor.Extract(text, targets ?? DefaultTargets, fallback, mode);
        }
        catch (Exception ex) when (IsRecoverable(ex)) { return []; }
    }

    /// <summary>
    /// True when any gold item matches any predicted item (values by the reference's comparison rules, strings by
    /// trimmed equality). Errors and timeouts of a pair count as false (or throw, with <see cref="VerifyOptions.RaiseOnError"/>).
    /// </summary>
    /// <param name="gold">Items from <see cref="Parse"/> of the gold answer.</param>
    /// <param name="prediction">Items from <see cref="Parse"/> of the prediction.</param>
    /// <param name="options">Comparison options (default <see cref="VerifyOptions.Default"/>).</param>
    /// <param name="cancellationToken">Cancels the comparison (result: false).</param>
    public static bool Verify(IReadOnlyList<object> gold, IReadOnlyList<object> prediction, VerifyOptions? options = null, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(gold);
        ArgumentNullException.ThrowIfNull(prediction);
        options ??= VerifyOptions.Default;
        foreach (var g in gold)
            foreach (var p in prediction)
                if (ComparePair(g, p, options, cancellationToken)) return true;
        return false;
    }

    static bool ComparePair(object gold, object pred, VerifyOptions options, CancellationToken token)
    {
        if (gold is string gs && pred is string ps)
        {
            gs = gs.Trim(); ps = ps.Trim();
            return gs.Length > 0 && ps.Length > 0 && gs == ps;
        }
        if (gold is not MathValue gv || pred is not MathValue pv) return false;
        try
        {
            using var guard = ComputeGuard.Start(options.EffectiveTimeout, token);
            return new ExprEquality(options.FloatRounding, options.Strict, options.AllowSetRelationComp).Equal(gv.Expr, pv.Expr);
        }
        catch (Exception ex) when (IsRecoverable(ex) && !options.RaiseOnError) { return false; }
    }

    internal static bool IsRecoverable(Exception ex) => ex is not (OutOfMemoryException or StackOverflowException or OperationCanceledException) || ex is MathTimeoutException;
}
