using System.Globalization;
using System.Text;

namespace VisionGrpo.Formats;

/// <summary>
/// JSON text the way Python's <c>json.dumps</c> writes it, so files like <c>trainer_state.json</c> look exactly like
/// the HF Trainer's: floats in <c>repr</c> form (<c>1.0</c>, <c>1e-05</c>), ints without a dot, bare
/// <c>NaN</c>/<c>Infinity</c>, optional <c>sort_keys</c> and <c>indent</c>.
/// </summary>
internal static class PythonJson
{
    /// <summary>Python's <c>repr(float)</c>: shortest round-trip digits, exponent form when the decimal point
    /// position is ≤ −4 or &gt; 16, always a dot or exponent (<c>2.0</c>).</summary>
    public static string FloatRepr(double x)
    {
        if (double.IsNaN(x)) return "NaN";
        if (double.IsPositiveInfinity(x)) return "Infinity";
        if (double.IsNegativeInfinity(x)) return "-Infinity";
        if (x == 0) return BitConverter.DoubleToInt64Bits(x) < 0 ? "-0.0" : "0.0";
        // Shortest round-trip digits come from "R"; the exponent from it too.
        string shortest = Math.Abs(x).ToString("R", CultureInfo.InvariantCulture);
        int exp = 0;
        string mantissa = shortest;
        int e = shortest.IndexOfAny(new[] { 'E', 'e' });
        if (e >= 0)
        {
            exp = int.Parse(shortest[(e + 1)..], CultureInfo.InvariantCulture);
            mantissa = shortest[..e];
        }
        int dot = mantissa.IndexOf('.');
        string intPart = dot < 0 ? mantissa : mantissa[..dot];
        string frac = dot < 0 ? "" : mantissa[(dot + 1)..];
        string digits = (intPart + frac).TrimStart('0');
        int leadingZeros = (intPart + frac).Length - (intPart + frac).TrimStart('0').Length;
        int decpt = intPart.Length + exp - leadingZeros; // digits d1d2… represent 0.d1d2… × 10^decpt
        digits = digits.TrimEnd('0');
        if (digits.Length == 0) digits = "0";
        var sb = new StringBuilder();
        if (x < 0) sb.Append('-');
        if (decpt <= -4 || decpt > 16)
        {
            sb.Append(digits[0]);
            if (digits.Length > 1) sb.Append('.').Append(digits, 1, digits.Length - 1);
            int pyExp = decpt - 1;
            sb.Append('e').Append(pyExp < 0 ? '-' : '+').Append(Math.Abs(pyExp).ToString("00", CultureInfo.InvariantCulture));
        }
        else if (decpt <= 0)
            sb.Append("0.").Append('0', -decpt).Append(digits);
        else if (decpt >= digits.Length)
            sb.Append(digits).Append('0', decpt - digits.Length).Append(".0");
        else
            sb.Append(digits, 0, decpt).Append('.').Append(digits, decpt, digits.Length - decpt);
        return sb.ToString();
    }

    /// <summary>Serializes dictionaries, lists, strings, bools, integers and floats like <c>json.dumps</c>.</summary>
    /// <param name="value">The value.</param>
    /// <param name="indent">Spaces per level, or null for one line (separators ", " and ": ").</param>
    /// <param name="sortKeys">Sort dictionary keys (ordinal), like <c>sort_keys=True</c>.</param>
    public static string Serialize(object? value, int? indent = null, bool sortKeys = false)
    {
        var sb = new StringBuilder();
        Write(sb, value, indent, sortKeys, 0);
        return sb.ToString();
    }

    static void Write(StringBuilder sb, object? value, int? indent, bool sortKeys, int level)
    {
        switch (value)
        {
            case null: sb.Append("null"); break;
            case bool b: sb.Append(b ? "true" : "false"); break;
            case string s: sb.Append(Quote(s)); break;
            case double d: sb.Append(FloatRepr(d)); break;
            case float f: sb.Append(FloatRepr(f)); break;
            case int or long or short or byte or uint or ulong:
                sb.Append(Convert.ToString(value, CultureInfo.InvariantCulture)); break;
            case IEnumerable<KeyValuePair<string, object?>> dict:
                var pairs = sortKeys ? dict.OrderBy(kv => kv.Key, StringComparer.Ordinal).ToList() : dict.ToList();
                WriteContainer(sb, '{', '}', pairs.Count, indent, level, i =>
                {
                    sb.Append(Quote(pairs[i].Key)).Append(": ");
                    Write(sb, pairs[i].Value, indent, sortKeys, level + 1);
                });
                break;
            case System.Collections.IEnumerable list:
                var items = list.Cast<object?>().ToList();
                WriteContainer(sb, '[', ']', items.Count, indent, level, i => Write(sb, items[i], indent, sortKeys, level + 1));
                break;
            default:
                throw new ArgumentException($"cannot write a {value.GetType().Name} as JSON.");
        }
    }

    static void WriteContainer(StringBuilder sb, char open, char close, int count, int? indent, int level, Action<int> item)
    {
        sb.Append(open);
        if (count == 0) { sb.Append(close); return; }
        for (int i = 0; i < count; i++)
        {
            if (indent is { } n) sb.Append('\n').Append(' ', n * (level + 1));
            item(i);
            if (i < count - 1) sb.Append(indent is null ? ", " : ",");
        }
        if (indent is { } m) sb.Append('\n').Append(' ', m * level);
        sb.Append(close);
    }

    /// <summary>A JSON string literal as Python writes it (ensure_ascii: non-ASCII as \uXXXX).</summary>
    static string Quote(string s) => AppendString(new StringBuilder(s.Length + 2), s).ToString();

    /// <summary>
    /// Appends <paramref name="s"/> as a JSON string literal the way Python's <c>json.dumps</c> writes it: quotes,
    /// backslashes and control characters escaped; with <paramref name="ensureAscii"/> (Python's default) also every
    /// character outside printable ASCII (space..tilde) as <c>\uXXXX</c>, surrogate pairs as two escapes. Without it the
    /// output equals serde_json's (safetensors headers) and Jinja's <c>tojson</c> in transformers.
    /// </summary>
    public static StringBuilder AppendString(StringBuilder sb, string s, bool ensureAscii = true)
    {
        sb.Append('"');
        foreach (char c in s)
        {
            switch (c)
            {
                case '"': sb.Append("\\\""); break;
                case '\\': sb.Append("\\\\"); break;
                case '\n': sb.Append("\\n"); break;
                case '\r': sb.Append("\\r"); break;
                case '\t': sb.Append("\\t"); break;
                case '\b': sb.Append("\\b"); break;
                case '\f': sb.Append("\\f"); break;
                default:
                    if (c < 0x20 || (ensureAscii && c > 0x7E)) sb.Append("\\u").Append(((int)c).ToString("x4", CultureInfo.InvariantCulture));
                    else sb.Append(c);
                    break;
            }
        }
        return sb.Append('"');
    }
}
