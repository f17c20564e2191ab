namespace VisionGrpo.Text.Jinja;

/// <summary>
/// Jinja2's <c>Undefined</c>: the value of a missing variable, key or attribute. Printing gives "", it is falsy and
/// iterates as empty; any other use (attribute access, arithmetic, calling) is an error, as in Jinja2.
/// </summary>
internal sealed class JinjaUndefined(string hint)
{
    /// <summary>Jinja2's wording, e.g. <c>'dict object' has no attribute 'tool_calls'</c>.</summary>
    public string Hint { get; } = hint;
    public override string ToString() => "";
}

/// <summary>The object made by <c>namespace(...)</c>: attributes assignable with <c>{% set ns.x = ... %}</c>.</summary>
internal sealed class JinjaNamespace
{
    public Dictionary<string, object?> Attributes { get; } = new(StringComparer.Ordinal);
}

/// <summary>A callable value: a global function, a bound method, a macro or <c>loop.cycle</c>.</summary>
internal delegate object? JinjaFunction(IReadOnlyList<object?> args, IReadOnlyDictionary<string, object?> kwargs);

/// <summary>The <c>loop</c> variable inside <c>{% for %}</c>.</summary>
internal sealed class LoopContext(IReadOnlyList<object?> items)
{
    public int Index0 { get; set; }

    public object? Get(string name) => name switch
    {
        "index" => (long)Index0 + 1,
        "index0" => (long)Index0,
        "revindex" => (long)(items.Count - Index0),
        "revindex0" => (long)(items.Count - Index0 - 1),
        "first" => Index0 == 0,
        "last" => Index0 == items.Count - 1,
        "length" => (long)items.Count,
        "depth" => 1L,
        "depth0" => 0L,
        "previtem" => Index0 > 0 ? items[Index0 - 1] : new JinjaUndefined("there is no previous item"),
        "nextitem" => Index0 + 1 < items.Count ? items[Index0 + 1] : new JinjaUndefined("there is no next item"),
        "cycle" => new JinjaFunction((args, _) => args.Count == 0 ? throw new InvalidOperationException("loop.cycle needs at least one argument") : args[Index0 % args.Count]),
        _ => new JinjaUndefined($"'LoopContext' object has no attribute '{name}'"),
    };
}
