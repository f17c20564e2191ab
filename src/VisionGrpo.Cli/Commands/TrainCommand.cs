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
            "Post-train a model with GRPO as TRL does (recipe keys: `visiongrpo config --keys`). Without --config: the built-in demo, recipes/demo.yaml.");
        recipe.AddTo(command);
        command.SetAction((parse, ct) =>
        {
            var output = parse.InvocationConfiguration.Output;
            string? demo = parse.GetValue(recipe.Config) is null ? DemoRecipe.Locate() : null;
            var config = recipe.Load(parse, demo);
            if (demo is not null && !parse.GetValue(recipe.PrintConfig))
                output.Write($"# the built-in demo: {demo}\n{File.ReadAllText(demo)}\n");
            if (parse.GetValue(recipe.PrintConfig))
            {
                output.Write(RecipeWriter.ToYaml(config));
                return Task.FromResult(0);
            }
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
        using var trainer = new GrpoTrainer(config, events);
        using var graceful = TerminationSignals.StopGracefully(); // SIGTERM: finish the step, save a checkpoint, exit
        return console.Run(trainer.MaxSteps, trainer.State.GlobalStep, () => Train(trainer, config, console.Out, ct));
    }

    static IReadOnlyDictionary<string, object?> Train(GrpoTrainer trainer, RecipeConfig config, IAnsiConsole console, CancellationToken ct)
    {
        if (!config.BeforeAfterEval) return trainer.Train(ct);
        console.MarkupLine("evaluating on the held-out rows before training…");
        var report = BeforeAfterRun.Run(trainer, config.OutputDir, ct);
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
            $"{report.Steps} steps in {report.WallSeconds:F0} s; wrote {Path.Combine(config.OutputDir, BeforeAfterRun.SummaryFile)} and {Path.Combine(config.OutputDir, BeforeAfterRun.ChartFile)}")));
        return trainer.State.LogHistory[^1];
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
