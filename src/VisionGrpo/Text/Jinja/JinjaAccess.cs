namespace VisionGrpo.Text.Jinja;

/// <summary>
/// Attribute (<c>a.b</c>), item (<c>a[b]</c>) and slice access with Jinja2's sandbox rules: <c>a.b</c> tries a
/// Python attribute (a method such as <c>dict.items</c> or <c>str.strip</c>) and then the key; <c>a[b]</c> tries the
/// key and then the attribute; a miss gives Undefined. Methods that mutate are refused, as in transformers'
/// <c>ImmutableSandboxedEnvironment</c>.
/// </summary>
internal static class JinjaAccess
{
    static readonly HashSet<string> MutatingMethods =
        ["append", "extend", "insert", "pop", "remove", "clear", "sort", "reverse", "update", "setdefault", "popitem"];

    public static object? GetAttribute(object? obj, string name)
    {
        switch (obj)
        {
            case JinjaUndefined u: throw new TemplateRuntimeError(u.Hint);
            case JinjaNamespace ns:
                return ns.Attributes.TryGetValue(name, out var v) ? v : Missing(obj, name);
            case LoopContext loop: return loop.Get(name);
        }
        if (MutatingMethods.Contains(name) && obj is List<object?> or OrderedDictionary<string, object?>)
            throw new TemplateRuntimeError($"access to attribute '{name}' of '{JinjaValues.TypeName(obj)}' object is unsafe (templates cannot modify data)");
        var method = JinjaMethods.Bind(obj, name);
        if (method is not null) return method;
        if (obj is OrderedDictionary<string, object?> dict && dict.TryGetValue(name, out var value)) return value;
        return Missing(obj, name);
    }

    public static object? GetItem(object? obj, object? key)
    {
        switch (obj, key)
        {
            case (JinjaUndefined u, _): throw new TemplateRuntimeError(u.Hint);
            case (OrderedDictionary<string, object?> d, string k) when d.TryGetValue(k, out var v): return v;
            case (List<object?> list, long or bool):
                long i = key is bool b ? (b ? 1 : 0) : (long)key;
                if (i < 0) i += list.Count;
                return i >= 0 && i < list.Count ? list[(int)i] : new JinjaUndefined($"list object has no element {key}");
            case (string s, long index):
                var chars = JinjaValues.TextChars(s);
                long j = index < 0 ? index + chars.Count : index;
                return j >= 0 && j < chars.Count ? chars[(int)j] : new JinjaUndefined($"str object has no element {index}");
            case (_, string name) when obj is not null:
                return GetAttribute(obj, name);
            default:
                return new JinjaUndefined($"'{JinjaValues.TypeName(obj)} object' has no attribute {JinjaValues.Repr(key)}");
        }
    }

    static JinjaUndefined Missing(object? obj, string name) =>
        new(obj is null ? $"'None' has no attribute '{name}'" : $"'{JinjaValues.TypeName(obj)} object' has no attribute '{name}'");

    /// <summary>Python slicing <c>x[start:stop:step]</c> of a list or string.</summary>
    public static object? Slice(object? obj, object? start, object? stop, object? step)
    {
        if (obj is JinjaUndefined u) throw new TemplateRuntimeError(u.Hint);
        List<object?> items = obj switch
        {
            List<object?> l => l,
            string s => JinjaValues.TextChars(s),
            _ => throw new TemplateRuntimeError($"'{JinjaValues.TypeName(obj)}' object is not subscriptable"),
        };
        long n = items.Count;
        long st = step is null ? 1 : AsIndex(step);
        if (st == 0) throw new TemplateRuntimeError("slice step cannot be zero");
        long lo, hi;
        if (st > 0)
        {
            lo = start is null ? 0 : Clamp(AsIndex(start), n, 0, n);
            hi = stop is null ? n : Clamp(AsIndex(stop), n, 0, n);
        }
        else
        {
            lo = start is null ? n - 1 : Clamp(AsIndex(start), n, -1, n - 1);
            hi = stop is null ? -1 : Clamp(AsIndex(stop), n, -1, n - 1);
        }
        var result = new List<object?>();
        for (long i = lo; st > 0 ? i < hi : i > hi; i += st) result.Add(items[(int)i]);
        return obj is string ? string.Concat(result.Cast<string>()) : result;
    }

    static long AsIndex(object? v) => v switch
    {
        long l => l,
        bool b => b ? 1 : 0,
        _ => throw new TemplateRuntimeError($"slice indices must be integers or None, not {JinjaValues.TypeName(v)}"),
    };

    static long Clamp(long i, long n, long min, long max)
    {
        if (i < 0) i += n;
        return Math.Clamp(i, min, max);
    }
}
