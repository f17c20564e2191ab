using System.CommandLine;
using Spectre.Console;
using VisionGrpo.Data.Synthetic;

namespace VisionGrpo.Cli.Commands;

/// <summary><c>visiongrpo data synth</c>: writes the synthetic visual-math dataset (HF parquet shards + card).</summary>
internal static class DataSynthCommand
{
    public static Command Create()
    {
        var outDir = new Option<string>("--out") { Description = "Output dataset folder.", Required = true };
        var rows = new Option<int>("--rows") { Description = "Number of problems.", DefaultValueFactory = _ => 1000 };
        var seed = new Option<long>("--seed") { Description = "Seed; the same seed gives the same dataset.", DefaultValueFactory = _ => 42 };
        var difficulty = new Option<string>("--difficulty") { Description = "easy (56 px), medium (84 px) or hard (112 px).", DefaultValueFactory = _ => "easy" };
        difficulty.AcceptOnlyFromAmong("easy", "medium", "hard");
        var shards = new Option<int>("--shards") { Description = "Parquet shards to write (at least 1).", DefaultValueFactory = _ => 2 };
        var command = new Command("synth", "Generate synthetic visual-math problems (count dots, tallest bar, digit sum, clock hour) as an HF parquet dataset.")
        {
            outDir, rows, seed, difficulty, shards,
        };
        command.SetAction(parse =>
        {
            int n = parse.GetValue(rows);
            if (n < 1) throw new ArgumentException($"--rows must be at least 1 (got {n})");
            int k = parse.GetValue(shards);
            if (k < 1) throw new ArgumentException($"--shards must be at least 1 (got {k})");
            long s = parse.GetValue(seed);
            var level = Enum.Parse<SynthDifficulty>(parse.GetValue(difficulty)!, ignoreCase: true);
            string dir = parse.GetValue(outDir)!;
            IReadOnlyList<string> files = [];
            AnsiConsole.Progress().AutoClear(true).Start(ctx =>
            {
                var task = ctx.AddTask("drawing", maxValue: n);
                files = SynthDatasetWriter.Write(dir, new VisualMathGenerator(s, level), n, k, difficulty: level, seed: s,
                    progress: new Progress<int>(done => task.Value = done));
                task.Value = n;
            });
            AnsiConsole.MarkupLine($"wrote [bold]{n}[/] rows to [bold]{Markup.Escape(dir)}[/] ({string.Join(", ", files.Select(Markup.Escape))}, README.md)");
            return 0;
        });
        return command;
    }
}
