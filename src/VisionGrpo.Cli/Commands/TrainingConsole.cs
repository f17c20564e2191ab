using Spectre.Console;
using VisionGrpo.Training;

namespace VisionGrpo.Cli.Commands;

/// <summary>
/// How the training verbs (train, sft) show a run: plain lines when the output is not a terminal; on a terminal, the
/// same lines above a live progress bar (ETA) whose label the verb chooses. Log entries print like the HF Trainer's.
/// </summary>
internal sealed class TrainingConsole
{
    /// <summary>The width given to a console that is not a terminal: wide enough that no line wraps.</summary>
    public const int UnwrappedWidth = 100_000;

    ProgressTask? _bar;

    /// <param name="output">Where the lines go.</param>
    /// <param name="allowLive">False forces plain lines even on a terminal (an MPI rank: mpirun hands ranks a
    /// pseudo-terminal even when its own output goes to a file).</param>
    public TrainingConsole(TextWriter output, bool allowLive = true)
    {
        Live = allowLive && ReferenceEquals(output, Console.Out) && !Console.IsOutputRedirected;
        Out = AnsiConsole.Create(new AnsiConsoleSettings { Out = new AnsiConsoleOutput(output), Ansi = Live ? AnsiSupport.Detect : AnsiSupport.No });
        // Redirected output is for logs and scripts: one line per log entry at full length, never wrapped at the
        // 80 columns Spectre assumes without a terminal (TRL prints each log dict on one line).
        if (!Live) Out.Profile.Width = UnwrappedWidth;
    }

    /// <summary>Whether a live progress bar is drawn.</summary>
    public bool Live { get; }
    /// <summary>The console the lines go to.</summary>
    public IAnsiConsole Out { get; }

    /// <summary>Trainer callbacks printing info, warnings and log lines, and moving the bar with <paramref name="label"/>'s text.</summary>
    public TrainerEvents Events(Func<StepReport, string> label, Action<IReadOnlyList<CompletionSample>>? completions = null) => new()
    {
        Info = line => Out.MarkupLine(Markup.Escape(line)),
        Warning = line => Out.MarkupLine($"[yellow]warning:[/] {Markup.Escape(line)}"),
        Log = entry => Out.MarkupLine(Markup.Escape(LogLine(entry))),
        Step = step =>
        {
            if (_bar is null) return;
            _bar.Value = step.Step;
            _bar.Description = label(step);
        },
        Completions = completions,
    };

    /// <summary>Runs <paramref name="train"/>, under the progress bar on a terminal.</summary>
    public T Run<T>(long maxSteps, long startStep, Func<T> train)
    {
        if (!Live) return train();
        T result = default!;
        Out.Progress()
            .Columns(new TaskDescriptionColumn(), new ProgressBarColumn(), new PercentageColumn(), new ElapsedTimeColumn(), new RemainingTimeColumn())
            .Start(ctx =>
            {
                _bar = ctx.AddTask("starting", maxValue: maxSteps);
                _bar.Value = startStep;
                result = train();
            });
        return result;
    }

    /// <summary>One log entry as <c>{'loss': 0.01, 'reward': 0.5, …}</c>, the way the HF Trainer prints it.</summary>
    static string LogLine(IReadOnlyDictionary<string, object?> entry) =>
        "{" + string.Join(", ", entry.Where(kv => kv.Key != "step").Select(kv => $"'{kv.Key}': {VisionGrpo.Formats.PythonJson.Serialize(kv.Value)}")) + "}";
}
