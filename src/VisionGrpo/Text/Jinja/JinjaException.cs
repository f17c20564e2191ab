namespace VisionGrpo.Text.Jinja;

/// <summary>
/// A template could not be parsed or rendered. The message names the construct and the 1-based line and column
/// in the template source, so an unsupported feature is never turned into a silently wrong prompt.
/// </summary>
public class JinjaException : Exception
{
    /// <summary>1-based line of the offending construct (0 when unknown).</summary>
    public int Line { get; }
    /// <summary>1-based column of the offending construct (0 when unknown).</summary>
    public int Column { get; }

    /// <summary>Creates the exception; the location is appended to <paramref name="message"/>.</summary>
    public JinjaException(string message, int line, int column, Exception? inner = null)
        : base(line > 0 ? $"{message} (template line {line}, column {column})" : message, inner)
    {
        Line = line;
        Column = column;
    }
}

/// <summary>The template called <c>raise_exception(message)</c> (transformers' <c>TemplateError</c>).</summary>
public sealed class JinjaRaisedException : JinjaException
{
    /// <summary>The message the template passed to <c>raise_exception</c>.</summary>
    public string TemplateMessage { get; }

    /// <summary>Creates the exception for a <c>raise_exception</c> call at the given location.</summary>
    public JinjaRaisedException(string templateMessage, int line, int column)
        : base($"Template raised an exception: {templateMessage}", line, column)
    {
        TemplateMessage = templateMessage;
    }
}
