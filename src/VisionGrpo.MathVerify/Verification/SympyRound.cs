using System.Numerics;
using VisionGrpo.MathVerify.Algebra;

namespace VisionGrpo.MathVerify.Verification;

/// <summary>
/// sympy's <c>Expr.round(p)</c> as Math-Verify's <c>sympy_numeric_eq</c> uses it (<c>a.round(float_rounding) ==
/// b.round(float_rounding)</c>): an exact integer stays an Integer, anything else becomes a Float whose binary
/// precision follows the digits kept. sympy 1.14's <c>==</c> never equates an Integer with a Float, so
/// <c>45</c> vs <c>45.0000001</c> is false here while <c>45.0</c> vs <c>45.0000001</c> is true.
/// </summary>
internal static class SympyRound
{
    /// <summary>A rounded number: an exact Integer, or a Float's exact binary value.</summary>
    public readonly record struct Rounded(bool IsInteger, BigRational Value);

    /// <summary>Whether both sides round to the same sympy number (false when either is not a number).</summary>
    public static bool Equal(Expr a, Expr b, int digits) =>
        TryRound(a, digits, out var x) && TryRound(b, digits, out var y) && x.IsInteger == y.IsInteger && x.Value == y.Value;

    /// <summary>Port of <c>Expr.round</c> (sympy/core/expr.py) for real numbers.</summary>
    public static bool TryRound(Expr e, int p, out Rounded result)
    {
        result = default;
        bool hasFloat = HasFloat(e);
        BigRational x;
        if (!hasFloat && Exact.TryRational(e, out x))
        {
            if (x.IsInteger) { result = new(true, x); return true; }
        }
        else if (Numeric.TryReal(e, out var d) && double.IsFinite(d)) x = BigRational.FromDouble(d);
        else return false;
        if (x.IsZero) { result = new(false, x); return true; }

        int mag = Magnitude(x);                        // .1 <= |x| / 10**mag < 1
        int allow = mag + p;
        int dps = hasFloat ? 15 : Math.Max(15, allow); // our Floats are 53-bit: 15 decimal digits
        if (hasFloat) allow = Math.Min(allow, dps);
        int shift = dps - mag;
        // x.n(dps + 1) * 10**shift: dps integer digits and one more that decides a tie.
        var xf = RoundSignificant(x, dps + 1) * Pow10(shift);
        var xi = xf.Sign >= 0 ? xf.Floor() : -(-xf).Floor();
        var dif2 = (xf - new BigRational(xi)).Abs();
        int c = dif2.CompareTo(BigRational.Half);
        if (c > 0 || (c == 0 && !xi.IsEven)) xi += xf.Sign;
        else if (c == 0) xi -= xf.Sign;
        int ip = p - shift;                            // Python's round(int, ip): ties to even
        var xr = ip >= 0 ? xi : (new BigRational(xi) * Pow10(ip)).RoundHalfEven() * BigInteger.Pow(10, -ip);
        var rv = new BigRational(xr) * Pow10(-shift);
        if (rv.IsInteger) { result = new(false, rv.RoundToBits(DpsToPrec(dps))); return true; }
        if (allow == 0 && rv > x) allow++;
        result = new(false, rv.RoundToBits(DpsToPrec(allow)));
        return true;
    }

    static int DpsToPrec(int dps) => Math.Max(1, (int)Math.Round((dps + 1) * 3.3219280948873626, MidpointRounding.ToEven));

    /// <summary>sympy's <c>_mag</c>: the integer m with 10**(m-1) &lt;= |x| &lt; 10**m.</summary>
    static int Magnitude(BigRational x)
    {
        var a = x.Abs();
        int m = (int)Math.Floor(BigInteger.Log10(a.Num) - BigInteger.Log10(a.Den)) + 1;
        while (a >= Pow10(m)) m++;
        while (a < Pow10(m - 1)) m--;
        return m;
    }

    static BigRational RoundSignificant(BigRational x, int digits)
    {
        var scale = Pow10(digits - Magnitude(x));
        return new BigRational((x * scale).RoundHalfEven()) / scale;
    }

    static BigRational Pow10(int e) => e >= 0 ? new BigRational(BigInteger.Pow(10, e)) : new BigRational(BigInteger.One, BigInteger.Pow(10, -e));

    /// <summary>Whether a Float atom occurs in the expression (sympy's <c>x.atoms(Float)</c> is non-empty).</summary>
    public static bool HasFloat(Expr e, int depth = 0) =>
        e is Flt || depth < 200 && e.Children.Any(c => HasFloat(c, depth + 1));
}
