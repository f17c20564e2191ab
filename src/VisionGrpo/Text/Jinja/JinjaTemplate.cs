namespace VisionGrpo.Text.Jinja;

/// <summary>
/// A parsed Jinja template, rendered the way transformers renders chat templates: Jinja2 with
/// <c>trim_blocks</c>, <c>lstrip_blocks</c> and loop controls, an immutable sandbox, <c>tojson</c> as
/// <c>json.dumps(ensure_ascii=False)</c>, and the globals <c>raise_exception</c> and <c>strftime_now</c>.
/// Parsing validates the whole template, so an unsupported construct fails here with its line and column.
/// </summary>
internal sealed class JinjaTemplate
{
    readonly IReadOnlyList<Stmt> body;

    /// <summary>The template source.</summary>
    public string Source { get; }

    JinjaTemplate(string source, IReadOnlyList<Stmt> body)
    {
        Source = source;
        this.body = body;
    }

    /// <summary>Parses <paramref name="source"/>.</summary>
    /// <exception cref="JinjaException">Syntax error or unsupported construct (message has line and column).</exception>
    public static JinjaTemplate Parse(string source)
    {
        ArgumentNullException.ThrowIfNull(source);
        return new JinjaTemplate(source, JinjaParser.Parse(source));
    }

    /// <summary>
    /// Renders with the given variables. Values are template values: null, bool, long, double, string,
    /// <c>List&lt;object?&gt;</c> and <c>OrderedDictionary&lt;string, object?&gt;</c> (see <see cref="JinjaJson.FromJson"/>).
    /// </summary>
    /// <param name="variables">Template variables (e.g. <c>messages</c>, <c>add_generation_prompt</c>).</param>
    /// <param name="now">Clock for <c>strftime_now</c>; defaults to the local time.</param>
    /// <exception cref="JinjaException">A runtime error, or <see cref="JinjaRaisedException"/> from <c>raise_exception</c>.</exception>
    public string Render(IReadOnlyDictionary<string, object?> variables, Func<DateTime>? now = null)
    {
        ArgumentNullException.ThrowIfNull(variables);
        return JinjaEvaluator.Render(body, JinjaGlobals.Create(now ?? (() => DateTime.Now)), variables);
    }
}
