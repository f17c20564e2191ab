using System.Globalization;
using System.Text;

namespace VisionGrpo.Text.Jinja;

/// <summary>A type or value error raised while evaluating; the evaluator adds the template location.</summary>
internal sealed class TemplateRuntimeError(string message) : Exception(message);

/// <summary>
/// Python semantics for template values: None = null, bool, long, double, string, <c>List&lt;object?&gt;</c>
/// (lists and tuples), <see cref="OrderedDictionary{TKey,TValue}"/> (dicts keep insertion order), plus the Jinja
/// objects. Printing follows Python's <c>str()</c> (<c>None</c>, <c>True</c>, <c>1.0</c>, <c>['a']</c>).
/// </summary>
internal static class JinjaValues
{
    public static bool IsTruthy(object? v) => v switch
    {
        null or JinjaUndefined => false,
        bool b => b,
        long l => l != 0,
        double d => d != 0,
        string s => s.Length > 0,
        List<object?> l => l.Count > 0,
        OrderedDictionary<string, object?> d => d.Count > 0,
        _ => true,
    };

    public static string TypeName(object? v) => v switch
    {
        null => "NoneType",
        JinjaUndefined => "Undefined",
        bool => "bool",
        long => "int",
        double => "float",
        string => "str",
        List<object?> => "list",
        OrderedDictionary<string, object?> => "dict",
        JinjaNamespace => "Namespace",
        LoopContext => "LoopContext",
        JinjaFunction => "function",
        _ => v.GetType().Name,
    };

    /// <summary>Python <c>str()</c>.</summary>
    public static string ToStr(object? v) => v switch
    {
        string s => s,
        JinjaUndefined => "",
        _ => Repr(v),
    };

    /// <summary>Python <c>repr()</c>.</summary>
    public static string Repr(object? v) => v switch
    {
        null => "None",
        JinjaUndefined => "",
        bool b => b ? "True" : "False",
        long l => l.ToString(CultureInfo.InvariantCulture),
        double d => FloatRepr(d),
        string s => StringRepr(s),
        List<object?> list => "[" + string.Join(", ", list.Select(Repr)) + "]",
        OrderedDictionary<string, object?> dict => "{" + string.Join(", ", dict.Select(kv => StringRepr(kv.Key) + ": " + Repr(kv.Value))) + "}",
        JinjaNamespace ns => "<Namespace " + string.Join(", ", ns.Attributes.Select(kv => kv.Key + "=" + Repr(kv.Value))) + ">",
        _ => $"<{TypeName(v)} object>",
    };

    /// <summary>Python's shortest round-trip float repr: <c>22.0</c>, <c>1e-07</c>, <c>1e+16</c>, <c>0.0001</c>.</summary>
    public static string FloatRepr(double d)
    {
        if (double.IsNaN(d)) return "nan";
        if (double.IsInfinity(d)) return d > 0 ? "inf" : "-inf";
        if (d == 0) return double.IsNegative(d) ? "-0.0" : "0.0";
        // .NET's "R" gives the same shortest digits as Python; only the layout differs.
        string shortest = Math.Abs(d).ToString("R", CultureInfo.InvariantCulture);
        int ePos = shortest.IndexOfAny(['E', 'e']);
        string mantissa = ePos >= 0 ? shortest[..ePos] : shortest;
        int exp = ePos >= 0 ? int.Parse(shortest[(ePos + 1)..], CultureInfo.InvariantCulture) : 0;
        int dot = mantissa.IndexOf('.');
        string digits = mantissa.Replace(".", "");
        int pointPos = (dot >= 0 ? dot : mantissa.Length) + exp; // digits[0..pointPos] is the integer part
        int lead = digits.Length - digits.TrimStart('0').Length;
        digits = digits.Trim('0');
        pointPos -= lead;
        if (digits.Length == 0) digits = "0";
        int sciExp = pointPos - 1;
        var sb = new StringBuilder(d < 0 ? "-" : "");
        if (sciExp is >= -4 and < 16)
        {
            if (pointPos <= 0) sb.Append("0.").Append('0', -pointPos).Append(digits);
            else if (pointPos >= digits.Length) sb.Append(digits).Append('0', pointPos - digits.Length).Append(".0");
            else sb.Append(digits, 0, pointPos).Append('.').Append(digits, pointPos, digits.Length - pointPos);
        }
        else
        {
            sb.Append(digits[0]);
            if (digits.Length > 1) sb.Append('.').Append(digits, 1, digits.Length - 1);
            sb.Append('e').Append(sciExp < 0 ? '-' : '+').Append(Math.Abs(sciExp).ToString("00", CultureInfo.InvariantCulture));
        }
        return sb.ToString();
    }

    /// <summary>Python string repr: single quotes unless the text has a single quote and no double quote.</summary>
    public static string StringRepr(string s)
    {
        char quote = s.Contains('\'') && !s.Contains('"') ? '"' : '\'';
        var sb = new StringBuilder().Append(quote);
        foreach (char c in s)
        {
            switch (c)
            {
                case '\\': sb.Append("\\\\"); break;
                case '\n': sb.Append("\\n"); break;
                case '\r': sb.Append("\\r"); break;
                case '\t': sb.Append("\\t"); break;
                default:
                    if (c == quote) sb.Append('\\').Append(c);
                    else if (c < 0x20 || c == 0x7f) sb.Append("\\x").Append(((int)c).ToString("x2", CultureInfo.InvariantCulture));
                    else sb.Append(c);
                    break;
            }
        }
        return sb.Append(quote).ToString();
    }

    public static bool IsNumber(object? v) => v is long or double or bool;

    static double ToDouble(object? v) => v switch { long l => l, double d => d, bool b => b ? 1 : 0, _ => throw new TemplateRuntimeError($"expected a number, got {TypeName(v)}") };

    /// <summary>Python <c>==</c>.</summary>
    public static bool PyEquals(object? a, object? b)
    {
        if (a is JinjaUndefined || b is JinjaUndefined) return a is JinjaUndefined && b is JinjaUndefined;
        if (IsNumber(a) && IsNumber(b))
            return a is double || b is double ? ToDouble(a) == ToDouble(b) : ToLong(a) == ToLong(b);
        return (a, b) switch
        {
            (null, null) => true,
            (string x, string y) => x == y,
            (List<object?> x, List<object?> y) => x.Count == y.Count && x.Zip(y).All(p => PyEquals(p.First, p.Second)),
            (OrderedDictionary<string, object?> x, OrderedDictionary<string, object?> y) =>
                x.Count == y.Count && x.All(kv => y.TryGetValue(kv.Key, out var other) && PyEquals(kv.Value, other)),
            _ => ReferenceEquals(a, b),
        };
    }

    static long ToLong(object? v) => v switch { long l => l, bool b => b ? 1 : 0, _ => throw new TemplateRuntimeError($"expected an integer, got {TypeName(v)}") };

    /// <summary>Python ordering (<c>&lt;</c> and friends): numbers with numbers, strings with strings, lists lexicographically.</summary>
    public static int Compare(object? a, object? b, string op)
    {
        if (IsNumber(a) && IsNumber(b)) return ToDouble(a).CompareTo(ToDouble(b));
        if (a is string x && b is string y) return string.CompareOrdinal(x, y);
        if (a is List<object?> la && b is List<object?> lb)
        {
            for (int i = 0; i < Math.Min(la.Count, lb.Count); i++)
                if (!PyEquals(la[i], lb[i])) return Compare(la[i], lb[i], op);
            return la.Count.CompareTo(lb.Count);
        }
        throw new TemplateRuntimeError($"'{op}' not supported between instances of '{TypeName(a)}' and '{TypeName(b)}'");
    }

    /// <summary>Python <c>in</c>.</summary>
    public static bool Contains(object? container, object? item) => container switch
    {
        string s => item is string sub ? s.Contains(sub, StringComparison.Ordinal)
            : throw new TemplateRuntimeError($"'in <string>' requires string as left operand, not {TypeName(item)}"),
        List<object?> l => l.Any(x => PyEquals(x, item)),
        OrderedDictionary<string, object?> d => item is string k && d.ContainsKey(k),
        JinjaUndefined => false,
        _ => throw new TemplateRuntimeError($"argument of type '{TypeName(container)}' is not iterable"),
    };

    /// <summary>Python iteration: list items, dict keys, string characters; Undefined iterates as empty.</summary>
    public static List<object?> Iterate(object? v) => v switch
    {
        List<object?> l => l,
        OrderedDictionary<string, object?> d => d.Keys.Cast<object?>().ToList(),
        string s => TextChars(s),
        JinjaUndefined => [],
        _ => throw new TemplateRuntimeError($"'{TypeName(v)}' object is not iterable"),
    };

    /// <summary>Python iterates a string by code point (a surrogate pair is one character).</summary>
    public static List<object?> TextChars(string s)
    {
        var list = new List<object?>(s.Length);
        for (int i = 0; i < s.Length; i++)
        {
            if (char.IsHighSurrogate(s[i]) && i + 1 < s.Length && char.IsLowSurrogate(s[i + 1])) { list.Add(s.Substring(i, 2)); i++; }
            else list.Add(s[i].ToString());
        }
        return list;
    }

    public static long Length(object? v) => v switch
    {
        string s => TextChars(s).Count,
        List<object?> l => l.Count,
        OrderedDictionary<string, object?> d => d.Count,
        JinjaUndefined => 0,
        _ => throw new TemplateRuntimeError($"object of type '{TypeName(v)}' has no len()"),
    };

    /// <summary>Python arithmetic for <c>+ - * / // % **</c>.</summary>
    public static object? Arithmetic(string op, object? a, object? b)
    {
        if (a is JinjaUndefined u) throw new TemplateRuntimeError(u.Hint);
        if (b is JinjaUndefined ub) throw new TemplateRuntimeError(ub.Hint);
        switch (op, a, b)
        {
            case ("+", string x, string y): return x + y;
            case ("+", List<object?> x, List<object?> y): return x.Concat(y).ToList();
            case ("*", string x, long n): return string.Concat(Enumerable.Repeat(x, (int)Math.Max(0, n)));
            case ("*", List<object?> x, long n): return Enumerable.Repeat(x, (int)Math.Max(0, n)).SelectMany(i => i).ToList();
        }
        if (!IsNumber(a) || !IsNumber(b))
            throw new TemplateRuntimeError(op == "+" && a is string
                ? $"can only concatenate str (not \"{TypeName(b)}\") to str"
                : $"unsupported operand type(s) for {op}: '{TypeName(a)}' and '{TypeName(b)}'");
        if (a is double || b is double || op == "/")
        {
            double x = ToDouble(a), y = ToDouble(b);
            if (y == 0 && op is "/" or "//" or "%") throw new TemplateRuntimeError("division by zero");
            return op switch
            {
                "+" => x + y, "-" => x - y, "*" => x * y, "/" => x / y,
                "//" => Math.Floor(x / y),
                "%" => x - y * Math.Floor(x / y),
                "**" => Math.Pow(x, y),
                _ => throw new TemplateRuntimeError($"unknown operator {op}"),
            };
        }
        long p = ToLong(a), q = ToLong(b);
        if (q == 0 && op is "//" or "%") throw new TemplateRuntimeError("integer division or modulo by zero");
        return op switch
        {
            "+" => p + q, "-" => p - q, "*" => p * q,
            "//" => FloorDiv(p, q),
            "%" => p - q * FloorDiv(p, q),
            "**" => q >= 0 ? (object)(long)Math.Pow(p, q) : Math.Pow(p, q),
            _ => throw new TemplateRuntimeError($"unknown operator {op}"),
        };
    }

    static long FloorDiv(long p, long q) => p / q - ((p % q != 0) && ((p < 0) ^ (q < 0)) ? 1 : 0);
}
