namespace VisionGrpo.Text.Jinja;

/// <summary>The non-mutating Python methods templates call on strings, dicts and lists
/// (<c>content.strip()</c>, <c>text.split('&lt;/think&gt;')</c>, <c>message.get('x')</c>, <c>d.items()</c>).</summary>
internal static class JinjaMethods
{
    public static JinjaFunction? Bind(object? obj, string name) => obj switch
    {
        string s => StringMethod(s, name),
        OrderedDictionary<string, object?> d => DictMethod(d, name),
        List<object?> l => ListMethod(l, name),
        _ => null,
    };

    static object? Arg(IReadOnlyList<object?> args, IReadOnlyDictionary<string, object?> kwargs, int index, string name, object? fallback = null) =>
        index < args.Count ? args[index] : kwargs.TryGetValue(name, out var v) ? v : fallback;

    static string StrArg(object? v, string method) =>
        v as string ?? throw new TemplateRuntimeError($"{method}() argument must be str, not {JinjaValues.TypeName(v)}");

    static JinjaFunction? StringMethod(string s, string name) => name switch
    {
        "strip" => (a, k) => Strip(s, Arg(a, k, 0, "chars"), true, true),
        "lstrip" => (a, k) => Strip(s, Arg(a, k, 0, "chars"), true, false),
        "rstrip" => (a, k) => Strip(s, Arg(a, k, 0, "chars"), false, true),
        "split" => (a, k) => Split(s, Arg(a, k, 0, "sep"), Arg(a, k, 1, "maxsplit", -1L) is long m ? m : -1),
        "rsplit" => (a, k) => RSplit(s, Arg(a, k, 0, "sep"), Arg(a, k, 1, "maxsplit", -1L) is long m ? m : -1),
        "splitlines" => (_, _) => SplitLines(s),
        "startswith" => (a, k) => AnyAffix(Arg(a, k, 0, "prefix"), p => s.StartsWith(p, StringComparison.Ordinal)),
        "endswith" => (a, k) => AnyAffix(Arg(a, k, 0, "suffix"), p => s.EndsWith(p, StringComparison.Ordinal)),
        "upper" => (_, _) => s.ToUpperInvariant(),
        "lower" => (_, _) => s.ToLowerInvariant(),
        "title" => (_, _) => JinjaFilters.Title(s),
        "capitalize" => (_, _) => JinjaFilters.Capitalize(s),
        "replace" => (a, k) => JinjaFilters.Replace(s, StrArg(Arg(a, k, 0, "old"), "replace"), StrArg(Arg(a, k, 1, "new"), "replace"), Arg(a, k, 2, "count", -1L) is long c ? c : -1),
        "find" => (a, k) => (long)s.IndexOf(StrArg(Arg(a, k, 0, "sub"), "find"), StringComparison.Ordinal),
        "count" => (a, k) => CountOf(s, StrArg(Arg(a, k, 0, "sub"), "count")),
        "join" => (a, k) => string.Join(s, JinjaValues.Iterate(Arg(a, k, 0, "iterable")).Select(x => x as string ?? throw new TemplateRuntimeError($"sequence item: expected str instance, {JinjaValues.TypeName(x)} found"))),
        "isdigit" => (_, _) => s.Length > 0 && s.All(char.IsDigit),
        "isalpha" => (_, _) => s.Length > 0 && s.All(char.IsLetter),
        "isspace" => (_, _) => s.Length > 0 && s.All(char.IsWhiteSpace),
        "islower" => (_, _) => s.Any(char.IsLetter) && !s.Any(char.IsUpper),
        "isupper" => (_, _) => s.Any(char.IsLetter) && !s.Any(char.IsLower),
        _ => null,
    };

    static JinjaFunction? DictMethod(OrderedDictionary<string, object?> d, string name) => name switch
    {
        "items" => (_, _) => d.Select(kv => (object?)new List<object?> { kv.Key, kv.Value }).ToList(),
        "keys" => (_, _) => d.Keys.Cast<object?>().ToList(),
        "values" => (_, _) => d.Values.ToList(),
        "get" => (a, k) => Arg(a, k, 0, "key") is string key && d.TryGetValue(key, out var v) ? v : Arg(a, k, 1, "default"),
        _ => null,
    };

    static JinjaFunction? ListMethod(List<object?> l, string name) => name switch
    {
        "index" => (a, k) =>
        {
            int i = l.FindIndex(x => JinjaValues.PyEquals(x, Arg(a, k, 0, "value")));
            return i >= 0 ? (long)i : throw new TemplateRuntimeError($"{JinjaValues.Repr(Arg(a, k, 0, "value"))} is not in list");
        },
        "count" => (a, k) => (long)l.Count(x => JinjaValues.PyEquals(x, Arg(a, k, 0, "value"))),
        _ => null,
    };

    static List<object?> SplitLines(string s)
    {
        var lines = System.Text.RegularExpressions.Regex.Split(s, "\r\n|[\n\r\v\f\x1c\x1d\x1e\x85\u2028\u2029]").Cast<object?>().ToList();
        if (lines.Count > 0 && (string)lines[^1]! == "") lines.RemoveAt(lines.Count - 1);
        return lines;
    }

    static bool AnyAffix(object? affix, Func<string, bool> test) => affix switch
    {
        string p => test(p),
        List<object?> options => options.Any(o => o is string p && test(p)),
        _ => throw new TemplateRuntimeError($"startswith/endswith argument must be str or a tuple of str, not {JinjaValues.TypeName(affix)}"),
    };

    static long CountOf(string s, string sub)
    {
        if (sub.Length == 0) return JinjaValues.TextChars(s).Count + 1;
        long n = 0;
        for (int i = s.IndexOf(sub, StringComparison.Ordinal); i >= 0; i = s.IndexOf(sub, i + sub.Length, StringComparison.Ordinal)) n++;
        return n;
    }

    /// <summary>Python <c>str.strip([chars])</c>: whitespace by default, else any of <paramref name="chars"/>.</summary>
    public static string Strip(string s, object? chars, bool left, bool right)
    {
        Func<char, bool> strip = chars switch
        {
            null => char.IsWhiteSpace,
            string set => set.Contains,
            _ => throw new TemplateRuntimeError($"strip arg must be None or str, not {JinjaValues.TypeName(chars)}"),
        };
        int start = 0, end = s.Length;
        if (left) while (start < end && strip(s[start])) start++;
        if (right) while (end > start && strip(s[end - 1])) end--;
        return s[start..end];
    }

    static List<object?> Split(string s, object? sep, long maxSplit)
    {
        var parts = new List<object?>();
        if (sep is null)
        {
            // Whitespace split: runs of whitespace separate, no empty strings.
            int i = 0;
            while (true)
            {
                while (i < s.Length && char.IsWhiteSpace(s[i])) i++;
                if (i >= s.Length) break;
                if (maxSplit >= 0 && parts.Count == maxSplit) { parts.Add(s[i..].TrimEnd()); break; }
                int start = i;
                while (i < s.Length && !char.IsWhiteSpace(s[i])) i++;
                parts.Add(s[start..i]);
            }
            return parts;
        }
        string separator = sep as string ?? throw new TemplateRuntimeError($"must be str or None, not {JinjaValues.TypeName(sep)}");
        if (separator.Length == 0) throw new TemplateRuntimeError("empty separator");
        int pos = 0;
        while (maxSplit < 0 || parts.Count < maxSplit)
        {
            int next = s.IndexOf(separator, pos, StringComparison.Ordinal);
            if (next < 0) break;
            parts.Add(s[pos..next]);
            pos = next + separator.Length;
        }
        parts.Add(s[pos..]);
        return parts;
    }

    static List<object?> RSplit(string s, object? sep, long maxSplit)
    {
        if (maxSplit < 0 || sep is null) return Split(s, sep, maxSplit);
        string separator = sep as string ?? throw new TemplateRuntimeError($"must be str or None, not {JinjaValues.TypeName(sep)}");
        var parts = new List<object?>();
        int end = s.Length;
        while (parts.Count < maxSplit)
        {
            int prev = end == 0 ? -1 : s.LastIndexOf(separator, end - 1, StringComparison.Ordinal);
            if (prev < 0 || prev + separator.Length > end) break;
            parts.Insert(0, s[(prev + separator.Length)..end]);
            end = prev;
        }
        parts.Insert(0, s[..end]);
        return parts;
    }
}
