using System.Globalization;
using System.Numerics;

namespace VisionGrpo.Data.Splits;

/// <summary>Python's text forms of numbers, so error messages read exactly as <c>datasets</c>' do.</summary>
internal static class PythonFormat
{
    /// <summary><c>repr(float)</c>: shortest round-trip digits, fixed for 1e-4 ≤ |x| &lt; 1e16, else <c>1e-05</c> style.</summary>
    public static string Float(double x) =>
        double.IsNaN(x) ? "nan" : double.IsInfinity(x) ? (x > 0 ? "inf" : "-inf") : Formats.PythonJson.FloatRepr(x);

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
