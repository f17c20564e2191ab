using System.CommandLine;
using Spectre.Console;
using VisionGrpo.Data.Synthetic;

namespace VisionGrpo.Cli.Commands;

/// <summary><c>visiongrpo data synth</c>: writes the synthetic visual-math dataset (HF parquet shards + card).</summary>
internal static class DataSynthCommand
{
    public static Command Create()
    {
        var outDir = new Option<string?>("--output", "-o") { Description = "Output dataset folder (required)." };
        var oldOut = CliOptions.OldSpelling("--out", outDir);
        var rows = new Option<int>("--rows") { Description = "Number of problems.", DefaultValueFactory = _ => 1000 };
        var seed = new Option<long>("--seed") { Description = "Seed; the same seed gives the same dataset.", DefaultValueFactory = _ => 42 };
        var difficulty = new Option<string>("--difficulty") { Description = "easy (56 px), medium (84 px), hard (112 px) or demo (56 px, at most one dot per quadrant).", DefaultValueFactory = _ => "easy" };
        difficulty.AcceptOnlyFromAmong("easy", "medium", "hard", "demo");
        var shards = new Option<int>("--shards") { Description = "Parquet shards to write (at least 1).", DefaultValueFactory = _ => 2 };
        var tasks = new Option<string?>("--tasks") { Description = "Comma-separated subset of tasks (count_dots, tallest_bar, digit_sum, clock_hour); default all." };
        var teacher = new Option<double?>("--teacher-accuracy")
        {
            Description = "Add a teacher_completion column for SFT warm-up: a short formatted target whose answer is right with this probability, else one too high (gold + 1).",
        };
        var command = new Command("synth", "Generate synthetic visual-math problems (count dots, tallest bar, digit sum, clock hour) as an HF parquet dataset.")
        {
            outDir, oldOut, rows, seed, difficulty, shards, tasks, teacher,
        };
        command.SetAction(parse =>
        {
            int n = parse.GetValue(rows);
            if (n < 1) throw new ArgumentException($"--rows must be at least 1 (got {n})");
            int k = parse.GetValue(shards);
            if (k < 1) throw new ArgumentException($"--shards must be at least 1 (got {k})");
            long s = parse.GetValue(seed);
            var level = Enum.Parse<SynthDifficulty>(parse.GetValue(difficulty)!, ignoreCase: true);
            string dir = CliOptions.ValueOf(parse, outDir, oldOut) ?? throw new ArgumentException("--output is required: the dataset folder to write.");
            var templates = parse.GetValue(tasks) is { } names
                ? VisualMathGenerator.TemplatesNamed(names.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries))
                : null;
            if (templates is { Count: 0 }) throw new ArgumentException("--tasks names no task");
            var generator = new VisualMathGenerator(s, level, templates);
            double? p = parse.GetValue(teacher);
            if (p is not (null or (>= 0 and <= 1))) throw new ArgumentException($"--teacher-accuracy must be in [0, 1] (got {p})");
            var noisy = p is double accuracy ? new NoisyTeacher(generator, accuracy, s) : null;
            IReadOnlyList<string> files = [];
            AnsiConsole.Progress().AutoClear(true).Start(ctx =>
            {
                var task = ctx.AddTask("drawing", maxValue: n);
                files = SynthDatasetWriter.Write(dir, generator, n, k, difficulty: level, seed: s,
                    progress: new Progress<int>(done => task.Value = done), teacher: noisy);
                task.Value = n;
            });
            AnsiConsole.MarkupLine($"wrote [bold]{n}[/] rows to [bold]{Markup.Escape(dir)}[/] ({string.Join(", ", files.Select(Markup.Escape))}, README.md)");
            return 0;
        });
        return command;
    }
}
