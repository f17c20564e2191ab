using System.Globalization;
using System.Text;
using System.Text.Json;

namespace VisionGrpo.Text.Jinja;

/// <summary>
/// JSON in and out of template values. Output is Python's <c>json.dumps(x, ensure_ascii=False)</c> as transformers'
/// <c>tojson</c> calls it: <c>", "</c>/<c>": "</c> separators, keys in order, non-ASCII kept, floats in Python repr.
/// </summary>
internal static class JinjaJson
{
    /// <summary>Converts parsed JSON to template values: objects keep key order, integers (no '.', no exponent)
    /// become <c>long</c>, other numbers <c>double</c> (as Python's <c>json.loads</c>).</summary>
    public static object? FromJson(JsonElement e) => e.ValueKind switch
    {
        JsonValueKind.Null or JsonValueKind.Undefined => null,
        JsonValueKind.True => true,
        JsonValueKind.False => false,
        JsonValueKind.String => e.GetString(),
        JsonValueKind.Number => ParseNumber(e.GetRawText()),
        JsonValueKind.Array => e.EnumerateArray().Select(FromJson).ToList(),
        JsonValueKind.Object => ToDict(e),
        _ => throw new InvalidDataException($"Unsupported JSON value kind {e.ValueKind}."),
    };

    /// <summary>
    /// Converts plain .NET data to template values: dictionaries with string keys (order kept), sequences, strings,
    /// integers (to <c>long</c>), floating point (to <c>double</c>), bools, null and <see cref="JsonElement"/>s.
    /// </summary>
    /// <exception cref="ArgumentException">A value of another type (its type is named).</exception>
    public static object? FromClr(object? value) => value switch
    {
        null => null,
        string or bool or long or double => value,
        int or short or byte or sbyte or ushort or uint => Convert.ToInt64(value, CultureInfo.InvariantCulture),
        float f => (double)f,
        decimal m => (double)m,
        JsonElement e => FromJson(e),
        OrderedDictionary<string, object?> d => d,
        System.Collections.IDictionary d => ToDict(d),
        System.Collections.IEnumerable items => items.Cast<object?>().Select(FromClr).ToList(),
        _ => throw new ArgumentException($"Cannot pass a {value.GetType().Name} to a template; use dictionaries, lists, strings, numbers, bools or null."),
    };

    static OrderedDictionary<string, object?> ToDict(System.Collections.IDictionary source)
    {
        var d = new OrderedDictionary<string, object?>(StringComparer.Ordinal);
        foreach (System.Collections.DictionaryEntry entry in source)
            d[entry.Key as string ?? throw new ArgumentException($"Template dictionaries need string keys, got {entry.Key.GetType().Name}.")] = FromClr(entry.Value);
        return d;
    }

    static OrderedDictionary<string, object?> ToDict(JsonElement e)
    {
        var d = new OrderedDictionary<string, object?>(StringComparer.Ordinal);
        foreach (var p in e.EnumerateObject()) d[p.Name] = FromJson(p.Value);
        return d;
    }

    static object ParseNumber(string raw) =>
        raw.AsSpan().IndexOfAny(".eE") < 0 && long.TryParse(raw, NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out long l)
            ? (object)l
            : double.Parse(raw, CultureInfo.InvariantCulture);

    /// <summary><c>json.dumps(value, ensure_ascii=False, indent=indent, sort_keys=sortKeys)</c>.</summary>
    /// <param name="value">A template value.</param>
    /// <param name="indent">null (one line), a number of spaces, or an indent string.</param>
    /// <param name="sortKeys">Sort object keys.</param>
    public static string Dumps(object? value, object? indent = null, bool sortKeys = false)
    {
        string? indentText = indent switch
        {
            null => null,
            long n => new string(' ', (int)Math.Max(0, n)),
            string s => s,
            _ => throw new TemplateRuntimeError($"tojson indent must be an int or a string, not {JinjaValues.TypeName(indent)}"),
        };
        var sb = new StringBuilder();
        Write(sb, value, indentText, 0, sortKeys);
        return sb.ToString();
    }

    static void Write(StringBuilder sb, object? v, string? indent, int level, bool sortKeys)
    {
        switch (v)
        {
            case null: sb.Append("null"); break;
            case bool b: sb.Append(b ? "true" : "false"); break;
            case long l: sb.Append(l.ToString(CultureInfo.InvariantCulture)); break;
            case double d:
                sb.Append(double.IsNaN(d) ? "NaN" : double.IsPositiveInfinity(d) ? "Infinity" : double.IsNegativeInfinity(d) ? "-Infinity" : JinjaValues.FloatRepr(d));
                break;
            case string s: WriteString(sb, s); break;
            case List<object?> list:
                WriteContainer(sb, '[', ']', list.Count, indent, level, i => Write(sb, list[i], indent, level + 1, sortKeys));
                break;
            case OrderedDictionary<string, object?> dict:
                var keys = sortKeys ? dict.Keys.Order(StringComparer.Ordinal).ToList() : dict.Keys.ToList();
                WriteContainer(sb, '{', '}', keys.Count, indent, level, i =>
                {
                    WriteString(sb, keys[i]);
                    sb.Append(": ");
                    Write(sb, dict[keys[i]], indent, level + 1, sortKeys);
                });
                break;
            default:
                throw new TemplateRuntimeError($"Object of type {JinjaValues.TypeName(v)} is not JSON serializable");
        }
    }

    static void WriteContainer(StringBuilder sb, char open, char close, int count, string? indent, int level, Action<int> item)
    {
        sb.Append(open);
        if (count == 0) { sb.Append(close); return; }
        for (int i = 0; i < count; i++)
        {
            if (indent is null) { if (i > 0) sb.Append(", "); }
            else
            {
                if (i > 0) sb.Append(',');
                sb.Append('\n').Append(string.Concat(Enumerable.Repeat(indent, level + 1)));
            }
            item(i);
        }
        if (indent is not null) sb.Append('\n').Append(string.Concat(Enumerable.Repeat(indent, level)));
        sb.Append(close);
    }

    // transformers' tojson is json.dumps(..., ensure_ascii=False).
    static void WriteString(StringBuilder sb, string s) => VisionGrpo.Formats.PythonJson.AppendString(sb, s, ensureAscii: false);
}
