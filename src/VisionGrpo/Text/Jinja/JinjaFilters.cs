using System.Globalization;
using System.Text;
using System.Text.RegularExpressions;

namespace VisionGrpo.Text.Jinja;

/// <summary>A filter: <c>value | name(args, kw=...)</c>.</summary>
internal delegate object? JinjaFilter(object? value, IReadOnlyList<object?> args, IReadOnlyDictionary<string, object?> kwargs);

/// <summary>The Jinja2 built-in filters used by chat templates, with transformers' <c>tojson</c>.</summary>
internal static partial class JinjaFilters
{
    static readonly Dictionary<string, JinjaFilter> Filters = new(StringComparer.Ordinal)
    {
        ["abs"] = (v, _, _) => v switch { long l => Math.Abs(l), double d => Math.Abs(d), bool b => b ? 1L : 0L, _ => throw Bad("abs", v) },
        ["attr"] = (v, a, k) => JinjaAccess.GetAttribute(v, Str(Arg(a, k, 0, "name"), "attr")),
        ["capitalize"] = (v, _, _) => Capitalize(JinjaValues.ToStr(v)),
        ["count"] = (v, _, _) => JinjaValues.Length(v),
        ["length"] = (v, _, _) => JinjaValues.Length(v),
        ["default"] = Default,
        ["d"] = Default,
        ["dictsort"] = DictSort,
        ["escape"] = (v, _, _) => Escape(JinjaValues.ToStr(v)),
        ["e"] = (v, _, _) => Escape(JinjaValues.ToStr(v)),
        ["first"] = (v, _, _) => JinjaValues.Iterate(v) is { Count: > 0 } l ? l[0] : new JinjaUndefined("No first item, sequence was empty."),
        ["last"] = (v, _, _) => JinjaValues.Iterate(v) is { Count: > 0 } l ? l[^1] : new JinjaUndefined("No last item, sequence was empty."),
        ["float"] = (v, a, k) => ToFloat(v, Arg(a, k, 0, "default", 0.0)),
        ["int"] = (v, a, k) => ToInt(v, Arg(a, k, 0, "default", 0L)),
        ["items"] = (v, _, _) => v switch
        {
            OrderedDictionary<string, object?> d => d.Select(kv => (object?)new List<object?> { kv.Key, kv.Value }).ToList(),
            JinjaUndefined => new List<object?>(),
            _ => throw new TemplateRuntimeError($"Can only get item pairs from a mapping, not {JinjaValues.TypeName(v)}"),
        },
        ["join"] = (v, a, k) =>
        {
            var items = JinjaValues.Iterate(v);
            if (Arg(a, k, 1, "attribute") is { } attr) items = items.Select(i => AttrGetter(i, attr)).ToList();
            return string.Join(Arg(a, k, 0, "d", "") is string sep ? sep : JinjaValues.ToStr(Arg(a, k, 0, "d")), items.Select(JinjaValues.ToStr));
        },
        ["list"] = (v, _, _) => JinjaValues.Iterate(v).ToList(),
        ["lower"] = (v, _, _) => JinjaValues.ToStr(v).ToLowerInvariant(),
        ["upper"] = (v, _, _) => JinjaValues.ToStr(v).ToUpperInvariant(),
        ["map"] = Map,
        ["max"] = (v, a, k) => MinMax(v, a, k, max: true),
        ["min"] = (v, a, k) => MinMax(v, a, k, max: false),
        ["select"] = (v, a, k) => SelectOrReject(v, a, k, useAttribute: false, keep: true),
        ["reject"] = (v, a, k) => SelectOrReject(v, a, k, useAttribute: false, keep: false),
        ["selectattr"] = (v, a, k) => SelectOrReject(v, a, k, useAttribute: true, keep: true),
        ["rejectattr"] = (v, a, k) => SelectOrReject(v, a, k, useAttribute: true, keep: false),
        ["replace"] = (v, a, k) => Replace(JinjaValues.ToStr(v), JinjaValues.ToStr(Arg(a, k, 0, "old")), JinjaValues.ToStr(Arg(a, k, 1, "new")), Arg(a, k, 2, "count") is long c ? c : -1),
        ["reverse"] = (v, _, _) => v is string s ? string.Concat(JinjaValues.TextChars(s).Cast<string>().Reverse()) : Enumerable.Reverse(JinjaValues.Iterate(v)).ToList(),
        ["round"] = Round,
        ["safe"] = (v, _, _) => v,
        ["sort"] = Sort,
        ["string"] = (v, _, _) => JinjaValues.ToStr(v),
        ["sum"] = (v, a, k) =>
        {
            object? total = Arg(a, k, 1, "start", 0L);
            var attr = Arg(a, k, 0, "attribute");
            foreach (var item in JinjaValues.Iterate(v)) total = JinjaValues.Arithmetic("+", total, attr is null ? item : AttrGetter(item, attr));
            return total;
        },
        ["title"] = (v, _, _) => Title(JinjaValues.ToStr(v)),
        ["tojson"] = (v, a, k) => JinjaJson.Dumps(v, Arg(a, k, 0, "indent"), JinjaValues.IsTruthy(Arg(a, k, 2, "sort_keys", false))),
        ["trim"] = (v, a, k) => JinjaMethods.Strip(JinjaValues.ToStr(v), Arg(a, k, 0, "chars"), true, true),
        ["unique"] = Unique,
        ["wordcount"] = (v, _, _) => (long)WordRegex().Matches(JinjaValues.ToStr(v)).Count,
        ["indent"] = Indent,
    };

    public static bool Exists(string name) => Filters.ContainsKey(name);

    public static object? Apply(string name, object? value, IReadOnlyList<object?> args, IReadOnlyDictionary<string, object?> kwargs) =>
        Filters.TryGetValue(name, out var f) ? f(value, args, kwargs) : throw new TemplateRuntimeError($"No filter named '{name}'");

    static readonly IReadOnlyDictionary<string, object?> NoKwargs = new Dictionary<string, object?>();

    static object? Arg(IReadOnlyList<object?> args, IReadOnlyDictionary<string, object?> kwargs, int index, string name, object? fallback = null) =>
        index < args.Count ? args[index] : kwargs.TryGetValue(name, out var v) ? v : fallback;

    static string Str(object? v, string filter) => v as string ?? throw new TemplateRuntimeError($"{filter}: expected a string argument, got {JinjaValues.TypeName(v)}");
    static TemplateRuntimeError Bad(string filter, object? v) => new($"filter '{filter}' cannot be applied to {JinjaValues.TypeName(v)}");

    static object? Default(object? v, IReadOnlyList<object?> a, IReadOnlyDictionary<string, object?> k)
    {
        bool boolean = JinjaValues.IsTruthy(Arg(a, k, 1, "boolean", false));
        return v is JinjaUndefined || (boolean && !JinjaValues.IsTruthy(v)) ? Arg(a, k, 0, "default_value", "") : v;
    }

    /// <summary>Jinja2's attribute getter: dotted path, each part an item lookup first (integers as indices).</summary>
    static object? AttrGetter(object? item, object? attribute)
    {
        if (attribute is long index) return JinjaAccess.GetItem(item, index);
        foreach (var part in Str(attribute, "attribute").Split('.'))
            item = JinjaAccess.GetItem(item, long.TryParse(part, NumberStyles.None, CultureInfo.InvariantCulture, out long n) ? n : part);
        return item;
    }

    static object? Map(object? v, IReadOnlyList<object?> a, IReadOnlyDictionary<string, object?> k)
    {
        var items = JinjaValues.Iterate(v);
        if (a.Count == 0 && k.TryGetValue("attribute", out var attribute))
        {
            k.TryGetValue("default", out var fallback);
            return items.Select(i => AttrGetter(i, attribute) is JinjaUndefined u && k.ContainsKey("default") ? fallback : AttrGetter(i, attribute)).ToList();
        }
        string filter = Str(Arg(a, k, 0, "filter"), "map");
        var rest = a.Skip(1).ToList();
        return items.Select(i => Apply(filter, i, rest, k)).ToList();
    }

    static object? SelectOrReject(object? v, IReadOnlyList<object?> a, IReadOnlyDictionary<string, object?> k, bool useAttribute, bool keep)
    {
        int offset = useAttribute ? 1 : 0;
        object? attribute = useAttribute ? Arg(a, k, 0, "attribute") : null;
        string? test = a.Count > offset ? Str(a[offset], "select") : null;
        var testArgs = a.Skip(offset + 1).ToList();
        return JinjaValues.Iterate(v).Where(item =>
        {
            var subject = useAttribute ? AttrGetter(item, attribute) : item;
            bool pass = test is null ? JinjaValues.IsTruthy(subject) : JinjaTests.Apply(test, subject, testArgs);
            return pass == keep;
        }).ToList();
    }

    static object? MinMax(object? v, IReadOnlyList<object?> a, IReadOnlyDictionary<string, object?> k, bool max)
    {
        var items = JinjaValues.Iterate(v);
        if (items.Count == 0) return new JinjaUndefined($"No aggregated item, sequence was empty.");
        bool caseSensitive = JinjaValues.IsTruthy(Arg(a, k, 0, "case_sensitive", false));
        var attribute = Arg(a, k, 1, "attribute");
        object? Key(object? i) => SortKey(attribute is null ? i : AttrGetter(i, attribute), caseSensitive);
        var best = items[0];
        foreach (var item in items.Skip(1))
        {
            int c = JinjaValues.Compare(Key(item), Key(best), max ? ">" : "<");
            if (max ? c > 0 : c < 0) best = item;
        }
        return best;
    }

    static object? SortKey(object? v, bool caseSensitive) => !caseSensitive && v is string s ? s.ToLowerInvariant() : v;

    static object? Sort(object? v, IReadOnlyList<object?> a, IReadOnlyDictionary<string, object?> k)
    {
        bool reverse = JinjaValues.IsTruthy(Arg(a, k, 0, "reverse", false));
        bool caseSensitive = JinjaValues.IsTruthy(Arg(a, k, 1, "case_sensitive", false));
        var attribute = Arg(a, k, 2, "attribute");
        var items = JinjaValues.Iterate(v).ToList();
        // Stable, like Python's sort.
        var sorted = items.Select((item, i) => (item, i))
            .OrderBy(p => p, Comparer<(object? item, int i)>.Create((x, y) =>
            {
                int c = JinjaValues.Compare(SortKey(attribute is null ? x.item : AttrGetter(x.item, attribute), caseSensitive),
                    SortKey(attribute is null ? y.item : AttrGetter(y.item, attribute), caseSensitive), "<");
                return c != 0 ? (reverse ? -c : c) : x.i.CompareTo(y.i);
            }))
            .Select(p => p.item).ToList();
        return sorted;
    }

    static object? DictSort(object? v, IReadOnlyList<object?> a, IReadOnlyDictionary<string, object?> k)
    {
        if (v is not OrderedDictionary<string, object?> d) throw Bad("dictsort", v);
        bool caseSensitive = JinjaValues.IsTruthy(Arg(a, k, 0, "case_sensitive", false));
        bool byValue = Arg(a, k, 1, "by", "key") is "value";
        bool reverse = JinjaValues.IsTruthy(Arg(a, k, 2, "reverse", false));
        var pairs = d.Select(kv => new List<object?> { kv.Key, kv.Value }).ToList();
        pairs.Sort((x, y) => JinjaValues.Compare(SortKey(x[byValue ? 1 : 0], caseSensitive), SortKey(y[byValue ? 1 : 0], caseSensitive), "<") * (reverse ? -1 : 1));
        return pairs.Cast<object?>().ToList();
    }

    static object? Unique(object? v, IReadOnlyList<object?> a, IReadOnlyDictionary<string, object?> k)
    {
        bool caseSensitive = JinjaValues.IsTruthy(Arg(a, k, 0, "case_sensitive", false));
        var attribute = Arg(a, k, 1, "attribute");
        var seen = new List<object?>();
        var result = new List<object?>();
        foreach (var item in JinjaValues.Iterate(v))
        {
            var key = SortKey(attribute is null ? item : AttrGetter(item, attribute), caseSensitive);
            if (seen.Any(s => JinjaValues.PyEquals(s, key))) continue;
            seen.Add(key);
            result.Add(item);
        }
        return result;
    }

    static object? Round(object? v, IReadOnlyList<object?> a, IReadOnlyDictionary<string, object?> k)
    {
        int precision = (int)(Arg(a, k, 0, "precision", 0L) as long? ?? 0);
        string method = Arg(a, k, 1, "method", "common") as string ?? "common";
        double x = v switch { long l => l, double d => d, _ => throw Bad("round", v) };
        double scale = Math.Pow(10, precision);
        return method switch
        {
            "common" => Math.Round(x, precision, MidpointRounding.ToEven),
            "ceil" => Math.Ceiling(x * scale) / scale,
            "floor" => Math.Floor(x * scale) / scale,
            _ => throw new TemplateRuntimeError("round: method must be 'common', 'ceil' or 'floor'"),
        };
    }

    static object? Indent(object? v, IReadOnlyList<object?> a, IReadOnlyDictionary<string, object?> k)
    {
        var width = Arg(a, k, 0, "width", 4L);
        string pad = width is string s ? s : new string(' ', (int)(width as long? ?? 4));
        bool first = JinjaValues.IsTruthy(Arg(a, k, 1, "first", false));
        bool blank = JinjaValues.IsTruthy(Arg(a, k, 2, "blank", false));
        var lines = JinjaValues.ToStr(v).Split('\n');
        var sb = new StringBuilder();
        for (int i = 0; i < lines.Length; i++)
        {
            if (i > 0) sb.Append('\n');
            bool indentThis = (i > 0 || first) && (blank || lines[i].Trim().Length > 0);
            sb.Append(indentThis ? pad : "").Append(lines[i]);
        }
        return sb.ToString();
    }

    static object? ToInt(object? v, object? fallback) => v switch
    {
        long l => l,
        bool b => b ? 1L : 0L,
        double d => (long)Math.Truncate(d),
        string s when long.TryParse(s.Trim(), NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out long l) => l,
        string s when double.TryParse(s.Trim(), NumberStyles.Float, CultureInfo.InvariantCulture, out double d) => (long)Math.Truncate(d),
        _ => fallback,
    };

    static object? ToFloat(object? v, object? fallback) => v switch
    {
        long l => (double)l,
        bool b => b ? 1.0 : 0.0,
        double d => d,
        string s when double.TryParse(s.Trim(), NumberStyles.Float, CultureInfo.InvariantCulture, out double d) => d,
        _ => fallback,
    };

    public static string Replace(string s, string old, string replacement, long count)
    {
        if (count < 0) return old.Length == 0 ? InsertBetweenAll(s, replacement) : s.Replace(old, replacement, StringComparison.Ordinal);
        var sb = new StringBuilder();
        int pos = 0;
        for (long n = 0; n < count; n++)
        {
            int next = s.IndexOf(old, pos, StringComparison.Ordinal);
            if (next < 0 || old.Length == 0) break;
            sb.Append(s, pos, next - pos).Append(replacement);
            pos = next + old.Length;
        }
        return sb.Append(s, pos, s.Length - pos).ToString();
    }

    static string InsertBetweenAll(string s, string r) => r + string.Concat(JinjaValues.TextChars(s).Select(c => (string)c! + r));

    public static string Capitalize(string s) => s.Length == 0 ? s : char.ToUpperInvariant(s[0]) + s[1..].ToLowerInvariant();

    /// <summary>Jinja2's <c>title</c>: upper-case the first letter of each word, lower-case the rest.</summary>
    public static string Title(string s) =>
        TitleWordRegex().Replace(s, m => m.Value.Length == 0 ? "" : char.ToUpperInvariant(m.Value[0]) + m.Value[1..].ToLowerInvariant());

    static string Escape(string s) =>
        s.Replace("&", "&amp;").Replace("<", "&lt;").Replace(">", "&gt;").Replace("\"", "&#34;").Replace("'", "&#39;");

    [GeneratedRegex(@"\w+")]
    private static partial Regex WordRegex();
    [GeneratedRegex(@"[^\s\-\(\{\[]+")]
    private static partial Regex TitleWordRegex();
}
