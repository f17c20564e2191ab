using System.Text.Json;
using VisionGrpo.Text.Jinja;

namespace VisionGrpo.Tests.Text;

/// <summary>One case per Jinja construct (output, if/elif/else, loops and loop variables, set/namespace, macros,
/// whitespace control, filters, tests, slicing, ...) against outputs rendered by Python Jinja2 3.1.6.</summary>
public class JinjaCaseTests
{
    static readonly List<JsonElement> Rows = File.ReadLines(Path.Combine(AppContext.BaseDirectory, "fixtures", "jinja", "jinja_cases.jsonl"))
        .Where(l => l.Length > 0).Select(l => JsonDocument.Parse(l).RootElement).ToList();

    public static TheoryData<string> Names() => new(Rows.Select(r => r.GetProperty("name").GetString()!));

    [Theory]
    [MemberData(nameof(Names))]
    public void RendersLikeJinja2(string name)
    {
        var row = Rows.Single(r => r.GetProperty("name").GetString() == name);
        var vars = new Dictionary<string, object?>();
        foreach (var p in row.GetProperty("vars").EnumerateObject()) vars[p.Name] = JinjaJson.FromJson(p.Value);
        string actual = JinjaTemplate.Parse(row.GetProperty("template").GetString()!).Render(vars);
        Assert.Equal(row.GetProperty("expected").GetString(), actual);
    }
}
