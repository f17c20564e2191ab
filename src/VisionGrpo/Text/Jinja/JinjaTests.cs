namespace VisionGrpo.Text.Jinja;

/// <summary>The Jinja2 tests (<c>x is defined</c>, <c>x is string</c>, <c>n is divisibleby 3</c>, ...).</summary>
internal static class JinjaTests
{
    static readonly Dictionary<string, Func<object?, IReadOnlyList<object?>, bool>> Tests = new(StringComparer.Ordinal)
    {
        ["defined"] = (v, _) => v is not JinjaUndefined,
        ["undefined"] = (v, _) => v is JinjaUndefined,
        ["none"] = (v, _) => v is null,
        ["boolean"] = (v, _) => v is bool,
        ["true"] = (v, _) => v is true,
        ["false"] = (v, _) => v is false,
        ["integer"] = (v, _) => v is long,
        ["float"] = (v, _) => v is double,
        ["number"] = (v, _) => v is long or double or bool,
        ["string"] = (v, _) => v is string,
        ["mapping"] = (v, _) => v is OrderedDictionary<string, object?>,
        ["iterable"] = (v, _) => v is string or List<object?> or OrderedDictionary<string, object?> or JinjaUndefined,
        ["sequence"] = (v, _) => v is string or List<object?> or OrderedDictionary<string, object?> or JinjaUndefined,
        ["callable"] = (v, _) => v is JinjaFunction,
        ["sameas"] = (v, a) => (v, One(a, "sameas")) switch
        {
            (null, null) => true,
            (bool x, bool y) => x == y,
            var (x, y) => ReferenceEquals(x, y),
        },
        ["escaped"] = (_, _) => false,
        ["odd"] = (v, _) => Integer(v, "odd") % 2 != 0,
        ["even"] = (v, _) => Integer(v, "even") % 2 == 0,
        ["divisibleby"] = (v, a) => Integer(v, "divisibleby") % Integer(One(a, "divisibleby"), "divisibleby") == 0,
        ["eq"] = (v, a) => JinjaValues.PyEquals(v, One(a, "eq")),
        ["equalto"] = (v, a) => JinjaValues.PyEquals(v, One(a, "equalto")),
        ["=="] = (v, a) => JinjaValues.PyEquals(v, One(a, "==")),
        ["ne"] = (v, a) => !JinjaValues.PyEquals(v, One(a, "ne")),
        ["!="] = (v, a) => !JinjaValues.PyEquals(v, One(a, "!=")),
        ["lt"] = (v, a) => JinjaValues.Compare(v, One(a, "lt"), "<") < 0,
        ["lessthan"] = (v, a) => JinjaValues.Compare(v, One(a, "lessthan"), "<") < 0,
        ["<"] = (v, a) => JinjaValues.Compare(v, One(a, "<"), "<") < 0,
        ["le"] = (v, a) => JinjaValues.Compare(v, One(a, "le"), "<=") <= 0,
        ["<="] = (v, a) => JinjaValues.Compare(v, One(a, "<="), "<=") <= 0,
        ["gt"] = (v, a) => JinjaValues.Compare(v, One(a, "gt"), ">") > 0,
        ["greaterthan"] = (v, a) => JinjaValues.Compare(v, One(a, "greaterthan"), ">") > 0,
        [">"] = (v, a) => JinjaValues.Compare(v, One(a, ">"), ">") > 0,
        ["ge"] = (v, a) => JinjaValues.Compare(v, One(a, "ge"), ">=") >= 0,
        [">="] = (v, a) => JinjaValues.Compare(v, One(a, ">="), ">=") >= 0,
        ["in"] = (v, a) => JinjaValues.Contains(One(a, "in"), v),
        ["lower"] = (v, _) => v is string s && s == s.ToLowerInvariant(),
        ["upper"] = (v, _) => v is string s && s == s.ToUpperInvariant(),
        ["filter"] = (v, _) => v is string s && JinjaFilters.Exists(s),
        ["test"] = (v, _) => v is string s && Exists(s),
    };

    public static bool Exists(string name) => Tests.ContainsKey(name);

    public static bool Apply(string name, object? value, IReadOnlyList<object?> args) =>
        Tests.TryGetValue(name, out var test) ? test(value, args) : throw new TemplateRuntimeError($"No test named '{name}'");

    static object? One(IReadOnlyList<object?> args, string test) =>
        args.Count >= 1 ? args[0] : throw new TemplateRuntimeError($"test '{test}' needs one argument");

    static long Integer(object? v, string test) => v switch
    {
        long l => l,
        bool b => b ? 1 : 0,
        double d when d == Math.Floor(d) => (long)d,
        _ => throw new TemplateRuntimeError($"test '{test}' needs an integer, got {JinjaValues.TypeName(v)}"),
    };
}
