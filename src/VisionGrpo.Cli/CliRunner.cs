using System.CommandLine;
using System.CommandLine.Help;
using Spectre.Console;

namespace VisionGrpo.Cli;

/// <summary>
/// Parses and invokes the command line; turns any exception into one red line and exit code 1 (128 + the signal's
/// number when a training run stopped on SIGINT/SIGTERM, see <see cref="TerminationSignals"/>).
/// </summary>
internal static class CliRunner
{
    /// <summary>Name of the command, as installed by `dotnet tool install` and shown in usage lines.</summary>
    public const string CommandName = "visiongrpo";

    /// <summary>Put before every error message (e.g. "rank 1: " in an MPI job, where all ranks share one terminal).</summary>
    public static string ErrorPrefix { get; set; } = "";

    /// <summary>
    /// Whether the last run ended with training stopped on request (a checkpoint saved), not with an error — in an
    /// MPI job also when the signal reached another rank and this one stopped with it at the same step.
    /// </summary>
    public static bool StoppedOnRequest { get; private set; }

    /// <summary>
    /// The root command, named <see cref="CommandName"/> in usage lines. (A <see cref="RootCommand"/> takes the entry
    /// assembly's name, VisionGrpo.Cli, which cannot be "visiongrpo": it would clash with VisionGrpo.dll.)
    /// </summary>
    public static Command CreateRoot(string description)
    {
        var root = new Command(CommandName, description);
        root.Options.Add(new HelpOption());
        root.Options.Add(new VersionOption());
        return root;
    }

    /// <summary>Parses <paramref name="args"/> against <paramref name="root"/> and invokes the verb; exit code 1 on any exception.</summary>
    public static int Run(Command root, string[] args, TextWriter? output = null, TextWriter? error = null,
        TerminationSignals? signals = null)
    {
        var parsed = root.Parse(args);
        bool verbose = parsed.GetValue(CliOptions.Verbose);
        var configuration = new InvocationConfiguration
        {
            EnableDefaultExceptionHandler = false,
            Output = output ?? Console.Out,
            Error = error ?? Console.Error,
            // Signals are TerminationSignals' job: System.CommandLine's own handling would end the process 2 s
            // after SIGTERM, in the middle of the checkpoint a stopping run writes.
            ProcessTerminationTimeout = null,
        };
        try
        {
            return parsed.InvokeAsync(configuration, signals?.Token ?? default).GetAwaiter().GetResult();
        }
        catch (Exception e)
        {
            ReportError(e, verbose, configuration.Error);
            StoppedOnRequest = e is VisionGrpo.Training.TrainingStoppedException;
            // A rank that stopped because another was signalled exits as if it had received the SIGTERM itself.
            return e is OperationCanceledException && signals?.ExitCode is int code ? code : StoppedOnRequest ? 128 + 15 : 1;
        }
    }

    /// <summary>
    /// Prints an exception as a single line <c>error: message</c> (red on a terminal; plain when redirected, so
    /// scripts can compare it), or the full exception with <c>--verbose</c>.
    /// </summary>
    public static void ReportError(Exception e, bool verbose, TextWriter error)
    {
        var inner = e is AggregateException { InnerExceptions.Count: 1 } agg ? agg.InnerExceptions[0] : e;
        bool terminal = ReferenceEquals(error, Console.Error) && !Console.IsErrorRedirected;
        if (!terminal)
        {
            error.WriteLine(ErrorPrefix + (verbose ? inner.ToString() : "error: " + OneLine(inner.Message)));
            return;
        }
        var console = AnsiConsole.Create(new AnsiConsoleSettings { Out = new AnsiConsoleOutput(error) });
        console.Profile.Width = 100_000; // one line: never wrap the message
        if (verbose)
            console.WriteException(inner);
        else
            console.MarkupLine($"{Markup.Escape(ErrorPrefix)}[red]error:[/] {Markup.Escape(OneLine(inner.Message))}");
    }

    static string OneLine(string message) => message.ReplaceLineEndings(" ").Trim();
}
