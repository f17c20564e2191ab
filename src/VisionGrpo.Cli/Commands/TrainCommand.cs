using System.CommandLine;
using System.Globalization;
using Spectre.Console;
using VisionGrpo.Recipes;
using VisionGrpo.Tensors;
using VisionGrpo.Training;

namespace VisionGrpo.Cli.Commands;

/// <summary>
/// <c>visiongrpo train</c>: GRPO on a recipe (<c>--config</c>, <c>--set</c>), with a progress bar on a terminal and
/// one line per logging step otherwise. <c>--print-config</c> shows the effective recipe and exits.
/// </summary>
internal static class TrainCommand
{
    public static Command Create()
    {
        var recipe = new RecipeOptions();
        var command = new Command("train",
            "Post-train a model with GRPO as TRL does. Every recipe key is also a flag (--learning_rate 1e-5; keys: `visiongrpo config --keys`). Without --config: the built-in demo (model included; outputs in ./out/demo), unless the command line names its own model or dataset (then TRL's defaults).");
        recipe.AddTo(command);
        command.SetAction((parse, ct) =>
        {
            var output = parse.InvocationConfiguration.Output;
            var demo = parse.GetValue(recipe.Config) is null && !recipe.NamesOwnModelOrData(parse) ? DemoRecipe.Locate() : null;
            var config = recipe.Load(parse, demo?.Path, demo?.Overrides);
            if (parse.GetValue(recipe.PrintConfig))
            {
                output.Write(RecipeWriter.ToYaml(config));
                return Task.FromResult(0);
            }
            if (demo is not null)
                output.Write($"# the built-in demo ({demo.Path}) as it runs, the keys that differ from TRL's defaults:\n{RecipeWriter.ChangedYaml(config)}\n");
            Run(config, output, ct);
            return Task.FromResult(0);
        });
        return command;
    }

    /// <summary>Trains; plain lines when <paramref name="output"/> is not the terminal, a live progress bar when it is.</summary>
    public static IReadOnlyDictionary<string, object?> Run(RecipeConfig config, TextWriter output, CancellationToken ct)
    {
        TorchRuntime.EnsureInitialized();
        var console = new TrainingConsole(output);
        var events = console.Events(
            step => string.Create(CultureInfo.InvariantCulture, $"step {step.Step}/{step.MaxSteps} reward {step.Reward:F3} {step.TokensPerSecond:F0} tok/s"),
            samples => console.Out.Write(CompletionTable(samples)));
        using var trainer = config.ToGrpoTrainer(events);
        if (config.BeforeAfterEval) console.Out.MarkupLine("evaluating on the held-out rows before training…");
        BeforeAfterResult? report = null;
        using var graceful = TerminationSignals.StopGracefully(); // SIGTERM: finish the step, save a checkpoint, exit
        var metrics = console.Run(trainer.MaxSteps, trainer.State.GlobalStep, () =>
        {
            if (!config.BeforeAfterEval) return trainer.Train(ct);
            report = BeforeAfterRun.Run(trainer, config.OutputDir, ct);
            return trainer.State.LogHistory[^1];
        });
        // The report prints once the progress bar has finished, below it.
        if (report is not null) PrintReport(console.Out, report, config.OutputDir);
        return metrics;
    }

    static void PrintReport(IAnsiConsole console, BeforeAfterResult report, string outputDir)
    {
        var table = new Table().AddColumn("mean reward (held-out)").AddColumn("before").AddColumn("after").AddColumn("change");
        foreach (var (name, before) in report.Before)
        {
            double after = report.After.GetValueOrDefault(name, double.NaN);
            table.AddRow(Markup.Escape(name), F(before), F(after), (after - before >= 0 ? "+" : "") + F(after - before));
        }
        console.Write(table);
        console.MarkupLine(Markup.Escape($"sample (first held-out row, greedy): {report.Sample.Completion}"));
        console.MarkupLine(Markup.Escape(string.Create(CultureInfo.InvariantCulture,
            $"inference time: {report.SampleSeconds:F2} s, generated tokens: {report.Sample.CompletionTokens}")));
        console.MarkupLine(Markup.Escape(string.Create(CultureInfo.InvariantCulture,
            $"{report.Steps} steps in {report.WallSeconds:F0} s; wrote {Path.Combine(outputDir, BeforeAfterRun.SummaryFile)} and {Path.Combine(outputDir, BeforeAfterRun.ChartFile)}")));
    }

    static string F(double v) => v.ToString("0.000", CultureInfo.InvariantCulture);

    static Table CompletionTable(IReadOnlyList<CompletionSample> samples)
    {
        var table = new Table().AddColumn("step").AddColumn("prompt").AddColumn("completion").AddColumn("rewards").AddColumn("advantage");
        foreach (var s in samples)
        {
            string rewards = string.Join(", ", s.Rewards.Select(r => $"{r.Key}={(r.Value is { } v ? v.ToString("0.###", CultureInfo.InvariantCulture) : "None")}"));
            string prompt = s.Prompt.Length > 120 ? "…" + s.Prompt[^120..] : s.Prompt;
            table.AddRow(s.Step.ToString(CultureInfo.InvariantCulture), Markup.Escape(prompt), Markup.Escape(s.Completion),
                Markup.Escape(rewards), s.Advantage.ToString("0.####", CultureInfo.InvariantCulture));
        }
        return table;
    }
}
