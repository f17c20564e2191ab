using System.Globalization;
using System.Numerics;

namespace VisionGrpo.Data.Splits;

/// <summary>Python's text forms of numbers, so error messages read exactly as <c>datasets</c>' do.</summary>
internal static class PythonFormat
{
    /// <summary><c>repr(float)</c>: shortest round-trip digits, fixed for 1e-4 ≤ |x| &lt; 1e16, else <c>1e-05</c> style.</summary>
    public static string Float(double x)
    {
        if (double.IsNaN(x)) return "nan";
        if (double.IsInfinity(x)) return x > 0 ? "inf" : "-inf";
        if (x == 0) return double.IsNegative(x) ? "-0.0" : "0.0";
        // "E16" is not shortest; "R" is, but its layout differs from Python's, so re-layout its digits.
        string r = x.ToString("R", CultureInfo.InvariantCulture);
        string sign = r.StartsWith('-') ? "-" : "";
        r = r.TrimStart('-');
        int exp = 0;
        int e = r.IndexOfAny(['E', 'e']);
        if (e >= 0)
        {
            exp = int.Parse(r[(e + 1)..], CultureInfo.InvariantCulture);
            r = r[..e];
        }
        int dot = r.IndexOf('.');
        string intPart = dot >= 0 ? r[..dot] : r;
        string frac = dot >= 0 ? r[(dot + 1)..] : "";
        string digits = (intPart + frac).TrimStart('0');
        int leadingZeros = (intPart + frac).Length - (intPart + frac).TrimStart('0').Length;
        // Decimal exponent of the first significant digit.
        int pointPos = intPart.Length + exp - leadingZeros;
        int decExp = pointPos - 1;
        digits = digits.TrimEnd('0');
        if (digits.Length == 0) digits = "0";
        if (decExp < -4 || decExp >= 16)
        {
            string mant = digits.Length == 1 ? digits : digits[0] + "." + digits[1..];
            string es = decExp < 0 ? "-" : "+";
            return $"{sign}{mant}e{es}{Math.Abs(decExp):00}";
        }
        if (pointPos <= 0) return $"{sign}0.{new string('0', -pointPos)}{digits}";
        if (pointPos >= digits.Length) return $"{sign}{digits}{new string('0', pointPos - digits.Length)}.0";
        return $"{sign}{digits[..pointPos]}.{digits[pointPos..]}";
    }

    /// <summary>Python <c>int(text)</c> for the decimal literals the split grammar admits (digits, single underscores between digits, Unicode digits).</summary>
    /// <exception cref="FormatException">Python's <c>invalid literal for int() with base 10</c>.</exception>
    public static BigInteger ParseInt(string text)
    {
        string body = text.StartsWith('-') || text.StartsWith('+') ? text[1..] : text;
        bool ok = body.Length > 0 && body[0] != '_' && body[^1] != '_' && !body.Contains("__", StringComparison.Ordinal);
        BigInteger value = 0;
        foreach (char c in body)
        {
            if (c == '_') continue;
            if (!char.IsDigit(c)) { ok = false; break; }
            value = value * 10 + (int)char.GetNumericValue(c);
        }
        if (!ok) throw new FormatException($"invalid literal for int() with base 10: '{text}'");
        return text.StartsWith('-') ? -value : value;
    }
}
