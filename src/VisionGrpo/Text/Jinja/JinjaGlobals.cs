using System.Globalization;
using System.Text;

namespace VisionGrpo.Text.Jinja;

/// <summary>Raised by the <c>raise_exception</c> global; the evaluator adds the call's location.</summary>
internal sealed class TemplateRaise(string message) : Exception(message);

/// <summary>
/// Global functions: Jinja2's <c>range</c>, <c>namespace</c>, <c>dict</c>, plus transformers'
/// <c>raise_exception</c> and <c>strftime_now</c>.
/// </summary>
internal static class JinjaGlobals
{
    public static Dictionary<string, object?> Create(Func<DateTime> now) => new(StringComparer.Ordinal)
    {
        ["raise_exception"] = new JinjaFunction((a, _) => throw new TemplateRaise(a.Count > 0 ? JinjaValues.ToStr(a[0]) : "")),
        ["strftime_now"] = new JinjaFunction((a, _) => Strftime(now(), a.Count > 0 ? JinjaValues.ToStr(a[0]) : "")),
        ["range"] = new JinjaFunction((a, _) => Range(a)),
        ["namespace"] = new JinjaFunction((a, k) =>
        {
            var ns = new JinjaNamespace();
            foreach (var arg in a)
                if (arg is OrderedDictionary<string, object?> init) foreach (var (key, value) in init) ns.Attributes[key] = value;
            foreach (var (key, value) in k) ns.Attributes[key] = value;
            return ns;
        }),
        ["dict"] = new JinjaFunction((a, k) =>
        {
            var d = new OrderedDictionary<string, object?>(StringComparer.Ordinal);
            foreach (var arg in a)
                if (arg is OrderedDictionary<string, object?> init) foreach (var (key, value) in init) d[key] = value;
            foreach (var (key, value) in k) d[key] = value;
            return d;
        }),
    };

    static List<object?> Range(IReadOnlyList<object?> a)
    {
        long Int(object? v) => v as long? ?? throw new TemplateRuntimeError($"range() integer argument expected, got {JinjaValues.TypeName(v)}");
        var (start, stop, step) = a.Count switch
        {
            1 => (0L, Int(a[0]), 1L),
            2 => (Int(a[0]), Int(a[1]), 1L),
            3 => (Int(a[0]), Int(a[1]), Int(a[2])),
            _ => throw new TemplateRuntimeError($"range expected 1 to 3 arguments, got {a.Count}"),
        };
        if (step == 0) throw new TemplateRuntimeError("range() arg 3 must not be zero");
        var list = new List<object?>();
        for (long i = start; step > 0 ? i < stop : i > stop; i += step)
        {
            if (list.Count >= 100_000) throw new TemplateRuntimeError("range too big (more than 100000 items)");
            list.Add(i);
        }
        return list;
    }

    /// <summary>Python <c>datetime.strftime</c> for the common directives (C locale).</summary>
    static string Strftime(DateTime t, string format)
    {
        var inv = CultureInfo.InvariantCulture;
        var sb = new StringBuilder();
        for (int i = 0; i < format.Length; i++)
        {
            if (format[i] != '%' || i + 1 >= format.Length) { sb.Append(format[i]); continue; }
            char c = format[++i];
            sb.Append(c switch
            {
                'd' => t.ToString("dd", inv), 'm' => t.ToString("MM", inv), 'Y' => t.ToString("yyyy", inv), 'y' => t.ToString("yy", inv),
                'H' => t.ToString("HH", inv), 'I' => t.ToString("hh", inv), 'M' => t.ToString("mm", inv), 'S' => t.ToString("ss", inv),
                'p' => t.Hour < 12 ? "AM" : "PM", 'b' => t.ToString("MMM", inv), 'B' => t.ToString("MMMM", inv),
                'a' => t.ToString("ddd", inv), 'A' => t.ToString("dddd", inv), 'j' => t.DayOfYear.ToString("000", inv),
                'e' => t.Day.ToString(inv).PadLeft(2), 'f' => (t.Ticks % TimeSpan.TicksPerSecond / 10).ToString("000000", inv),
                'w' => ((int)t.DayOfWeek).ToString(inv), '%' => "%",
                _ => "%" + c,
            });
        }
        return sb.ToString();
    }
}
