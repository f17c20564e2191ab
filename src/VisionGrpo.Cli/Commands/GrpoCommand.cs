using System.CommandLine;
using Spectre.Console;
using VisionGrpo.Tensors;
using VisionGrpo.Parity.Grpo;

namespace VisionGrpo.Cli.Commands;

/// <summary>
/// <c>visiongrpo grpo compute --input IN.jsonl --output OUT.jsonl</c>: recomputes GRPO advantage/loss records (the
/// fixture format) so the math can be checked against TRL from outside.
/// </summary>
internal static class GrpoCommand
{
    public static Command Create()
    {
        var input = new Option<FileInfo>("--input", "-i") { Description = "JSON Lines of records (kind, trl_version, hyperparameters, inputs).", Required = true };
        var output = new Option<FileInfo>("--output", "-o") { Description = "Where to write the records with recomputed outputs.", Required = true };
        var compute = new Command("compute", "Recompute advantages / loss, gradients and metrics of GRPO records as TRL 0.20 or 1.9 would.");
        compute.Options.Add(input);
        compute.Options.Add(output);
        compute.SetAction(parseResult => Run(parseResult.GetValue(input)!, parseResult.GetValue(output)!));

        var grpo = new Command("grpo", "GRPO algorithm tools.");
        grpo.Subcommands.Add(compute);
        return grpo;
    }

    static int Run(FileInfo input, FileInfo output)
    {
        TorchRuntime.EnsureInitialized();
        var summary = GrpoComputeRunner.RunFile(input.FullName, output.FullName);
        var console = AnsiConsole.Create(new AnsiConsoleSettings { Out = new AnsiConsoleOutput(Console.Error) });
        foreach (string problem in summary.Problems)
            console.MarkupLine($"[yellow]{Markup.Escape(problem)}[/]");
        console.MarkupLine(
            $"{summary.Records} record(s) → {Markup.Escape(output.FullName)}: " +
            $"{(summary.Errors > 0 ? $"[yellow]{summary.Errors} with an error[/]" : "0 errors")}, {summary.Warnings} with warnings.");
        return 0;
    }
}
