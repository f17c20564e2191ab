using VisionGrpo.Text.Jinja;

namespace VisionGrpo.Tests.Text;

/// <summary>Unsupported syntax and runtime errors must name the construct, line and column.</summary>
public class JinjaErrorTests
{
    static JinjaException ParseError(string source) => Assert.ThrowsAny<JinjaException>(() => JinjaTemplate.Parse(source));

    static JinjaException RenderError(string source, Dictionary<string, object?>? vars = null) =>
        Assert.ThrowsAny<JinjaException>(() => JinjaTemplate.Parse(source).Render(vars ?? []));

    /// <summary>Unsupported constructs and syntax errors: the message names the construct and the location.</summary>
    [Theory]
    [InlineData("a\n  {% include 'x.jinja' %}", "include", 2, 6)]
    [InlineData("{% extends 'base' %}", "extends", 1, 4)]
    [InlineData("x{% call foo() %}{% endcall %}", "call", 1, 5)]
    [InlineData("{% for x in y recursive %}{% endfor %}", "recursive", 1, 15)]
    [InlineData("{{ x | frobnicate }}", "frobnicate", 1, 8)]
    [InlineData("{% if x is prime %}{% endif %}", "prime", 1, 12)]
    [InlineData("\n\n{% blah %}", "blah", 3, 4)]
    [InlineData("{% if x %}never closed", "Unclosed '{% if %}'", 1, 4)]
    [InlineData("{% for x in y %}\n{% endif %}", "endif", 2, 4)]
    [InlineData("{{ x ", "Unclosed '{{'", 1, 1)]
    [InlineData("{{ 'abc }}", "Unterminated string", 1, 4)]
    [InlineData("{# no end", "Unclosed comment", 1, 1)]
    [InlineData("{{ a ? b }}", "Unexpected character '?'", 1, 6)]
    [InlineData("{% endfor %}", "without a matching opening tag", 1, 4)]
    public void ParseErrorsNameConstructLineAndColumn(string source, string fragment, int line, int column)
    {
        var e = ParseError(source);
        Assert.Contains(fragment, e.Message);
        Assert.Equal((line, column), (e.Line, e.Column));
        Assert.Contains($"line {line}, column {column}", e.Message);
    }

    [Fact]
    public void RaiseExceptionCarriesTheTemplateMessageAndLocation()
    {
        var e = Assert.Throws<JinjaRaisedException>(() =>
            JinjaTemplate.Parse("ok\n{{ raise_exception('Only user and assistant roles are supported!') }}").Render(new Dictionary<string, object?>()));
        Assert.Equal("Only user and assistant roles are supported!", e.TemplateMessage);
        Assert.Equal(2, e.Line);
    }

    [Fact]
    public void RuntimeErrorsNameTheProblemAndLocation()
    {
        var concat = RenderError("{{ 'a' + x }}", new() { ["x"] = null });
        Assert.Contains("can only concatenate str (not \"NoneType\") to str", concat.Message);
        Assert.Equal((1, 8), (concat.Line, concat.Column)); // the + operator

        var undefinedAttr = RenderError("{{ m.a.b }}", new() { ["m"] = new OrderedDictionary<string, object?>() });
        Assert.Contains("'dict object' has no attribute 'a'", undefinedAttr.Message);

        var mutate = RenderError("{{ xs.append(1) }}", new() { ["xs"] = new List<object?>() });
        Assert.Contains("unsafe", mutate.Message);

        var setOnNonNamespace = RenderError("{% set x = 1 %}{% set x.y = 2 %}");
        Assert.Contains("non-namespace", setOnNonNamespace.Message);
        Assert.Equal((1, 19), (setOnNonNamespace.Line, setOnNonNamespace.Column));
    }

    [Fact]
    public void GenerationBlockRendersItsBody()
    {
        string text = JinjaTemplate.Parse("{% generation %}{{ x }}!{% endgeneration %}").Render(new Dictionary<string, object?> { ["x"] = "hi" });
        Assert.Equal("hi!", text);
    }

    [Fact]
    public void StrftimeNowUsesTheGivenClock()
    {
        string text = JinjaTemplate.Parse("{{ strftime_now('%d %b %Y') }}").Render(new Dictionary<string, object?>(), () => new DateTime(2024, 7, 26));
        Assert.Equal("26 Jul 2024", text);
    }
}
