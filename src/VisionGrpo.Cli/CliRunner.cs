using System.CommandLine;
using Spectre.Console;

namespace VisionGrpo.Cli;

/// <summary>Parses and invokes the command line; turns any exception into one red line and exit code 1.</summary>
internal static class CliRunner
{
    public static int Run(RootCommand root, string[] args)
    {
        var parsed = root.Parse(args);
        bool verbose = parsed.GetValue(CliOptions.Verbose);
        try
        {
            return parsed.Invoke(new InvocationConfiguration { EnableDefaultExceptionHandler = false });
        }
        catch (Exception e)
        {
            ReportError(e, verbose, Console.Error);
            return 1;
        }
    }

    /// <summary>Prints an exception as a single red line (or the full exception with <c>--verbose</c>).</summary>
    public static void ReportError(Exception e, bool verbose, TextWriter error)
    {
        var inner = e is AggregateException { InnerExceptions.Count: 1 } agg ? agg.InnerExceptions[0] : e;
        var console = AnsiConsole.Create(new AnsiConsoleSettings { Out = new AnsiConsoleOutput(error) });
        console.Profile.Width = 100_000; // one line: never wrap the message
        if (verbose)
            console.WriteException(inner);
        else
            console.MarkupLine($"[red]error:[/] {Markup.Escape(OneLine(inner.Message))}");
    }

    static string OneLine(string message) => message.ReplaceLineEndings(" ").Trim();
}
