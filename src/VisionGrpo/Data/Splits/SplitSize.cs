using System.Globalization;
using System.Numerics;

namespace VisionGrpo.Data.Splits;

/// <summary>
/// A <c>test_size</c>/<c>train_size</c> argument: Python distinguishes an <c>int</c> (a row count) from a
/// <c>float</c> (a fraction), and <c>datasets</c> applies different rules to each, so the kind is kept.
/// </summary>
public readonly record struct SplitSize
{
    SplitSize(bool isFraction, double fraction, BigInteger count)
    {
        IsFraction = isFraction;
        Fraction = fraction;
        Count = count;
    }

    /// <summary>True for a Python <c>float</c> (fraction of the rows), false for an <c>int</c> (row count).</summary>
    public bool IsFraction { get; }

    /// <summary>The fraction (only when <see cref="IsFraction"/>).</summary>
    public double Fraction { get; }

    /// <summary>The row count (only when not <see cref="IsFraction"/>).</summary>
    public BigInteger Count { get; }

    /// <summary>A fraction of the rows (Python <c>float</c>).</summary>
    public static SplitSize OfFraction(double fraction) => new(true, fraction, 0);

    /// <summary>An absolute row count (Python <c>int</c>).</summary>
    public static SplitSize OfCount(BigInteger count) => new(false, 0, count);

    /// <summary>
    /// Parses as Python would read the literal: <c>77</c> is an int; <c>0.2</c>, <c>1e-05</c>, <c>1.0</c>, <c>inf</c> are floats.
    /// </summary>
    /// <exception cref="FormatException">Neither an int nor a float literal.</exception>
    public static SplitSize Parse(string text)
    {
        string t = text.Trim();
        string digits = t.TrimStart('+', '-');
        if (digits.Length > 0 && digits.All(c => char.IsAsciiDigit(c) || c == '_') && t.Count(c => c is '+' or '-') <= 1)
            return OfCount(PythonFormat.ParseInt(t.TrimStart('+')));
        if (double.TryParse(t.Replace("_", ""), NumberStyles.Float, CultureInfo.InvariantCulture, out double d))
            return OfFraction(d);
        string lower = t.ToLowerInvariant().TrimStart('+');
        if (lower is "inf" or "infinity") return OfFraction(double.PositiveInfinity);
        if (lower is "-inf" or "-infinity") return OfFraction(double.NegativeInfinity);
        if (lower is "nan" or "-nan") return OfFraction(double.NaN);
        throw new FormatException($"'{text}' is neither an int (row count) nor a float (fraction)");
    }

    /// <summary>The value as Python prints it (<c>77</c>, <c>0.2</c>, <c>1.0</c>).</summary>
    public override string ToString() => IsFraction ? PythonFormat.Float(Fraction) : Count.ToString(CultureInfo.InvariantCulture);
}
