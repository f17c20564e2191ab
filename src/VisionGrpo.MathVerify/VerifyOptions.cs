namespace VisionGrpo.MathVerify;

/// <summary>Options of <see cref="MathVerifier.Verify"/> (Math-Verify <c>verify</c> parameters).</summary>
/// <param name="FloatRounding">Decimal places used when a float is involved (default 6).</param>
/// <param name="NumericPrecision">Significant digits of numeric evaluation (default 15; doubles are used).</param>
/// <param name="Strict">When false, free variables of the prediction are renamed to the gold's positionally.</param>
/// <param name="AllowSetRelationComp">Also convert a predicted relation to a set when the gold is a set.</param>
/// <param name="Timeout">Budget per gold×prediction pair (default 5 s); expiry makes that pair false.</param>
/// <param name="RaiseOnError">As <c>raise_on_error</c>: a comparison that fails or times out throws instead of
/// counting as false.</param>
public sealed record VerifyOptions(
    int FloatRounding = 6,
    int NumericPrecision = 15,
    bool Strict = true,
    bool AllowSetRelationComp = false,
    TimeSpan? Timeout = null,
    bool RaiseOnError = false)
{
    /// <summary>The library defaults.</summary>
    public static VerifyOptions Default { get; } = new();

    /// <summary>The effective per-pair budget.</summary>
    public TimeSpan EffectiveTimeout => Timeout ?? TimeSpan.FromSeconds(5);
}
