using System.CommandLine;
using System.Globalization;
using Spectre.Console;
using VisionGrpo.Recipes;
using VisionGrpo.Tensors;
using VisionGrpo.Training;
using VisionGrpo.Training.Inputs;
using VisionGrpo.Training.Sft;

namespace VisionGrpo.Cli.Commands;

/// <summary>
/// <c>visiongrpo sft --config RECIPE [--set k=v ...]</c>: supervised fine-tuning on prompt-completion rows (the GRPO
/// prompt, a completion column) with completion-only loss; prints each log line and a summary.
/// </summary>
internal static class SftCommand
{
    public static Command Create()
    {
        var recipe = new RecipeOptions();
        var command = new Command("sft", "Supervised fine-tuning (TRL SFTTrainer style): the GRPO prompt + a completion column, loss on completion tokens only.");
        recipe.AddTo(command);
        command.SetAction(parse =>
        {
            if (parse.GetValue(recipe.Config) is null)
                throw new ArgumentException("sft needs a recipe: --config recipes/demo_sft.yaml (keys: visiongrpo config --keys).");
            var config = recipe.Load(parse);
            var output = parse.InvocationConfiguration.Output;
            if (parse.GetValue(recipe.PrintConfig))
            {
                output.Write(RecipeWriter.ToYaml(config));
                return 0;
            }
            return Run(config, output);
        });
        return command;
    }

    static int Run(RecipeConfig config, TextWriter output)
    {
        var options = SftOptions.FromRecipe(config);
        var console = AnsiConsole.Create(new AnsiConsoleSettings { Out = new AnsiConsoleOutput(output) });
        TorchRuntime.EnsureInitialized();
        var data = RecipeDatasets.Load(config);
        if (data.BadRows.Count > 0) console.MarkupLine($"[yellow]{Markup.Escape(data.BadRows.Summary())}[/]");
        using var policy = PolicyModel.Load(config);
        var collator = new SftCollator(policy.PromptBuilder(config), policy.Text.Tokenizer, options.CompletionColumn);
        // Fail before training on a dataset without the completion column, naming it.
        collator.CompletionIds(data.Train[0]);
        var trainer = new SftTrainer(policy, data.Train, collator, options, config.ModelNameOrPath);
        long trainable = policy.TrainableParameters.Sum(p => p.Parameter.numel());
        console.MarkupLine(Markup.Escape(string.Create(CultureInfo.InvariantCulture,
            $"sft: {data.Train.Count} rows, {trainer.MaxSteps} steps ({trainer.Epochs} epoch(s), batch {options.BatchSize} x {options.GradientAccumulationSteps}), {trainable:N0} trainable parameters ({(policy.Peft is null ? "full" : "LoRA")}) -> {options.OutputDir}")));
        trainer.OnLog = log => console.MarkupLine(Markup.Escape(FormatLog(log)));
        var result = trainer.Train();
        console.MarkupLine(Markup.Escape(string.Create(CultureInfo.InvariantCulture,
            $"done: {result.GlobalStep} steps in {result.RuntimeSeconds:F1} s, train_loss {result.TrainLoss:G4}; saved to {result.OutputDir}")));
        return 0;
    }

    static string FormatLog(IReadOnlyDictionary<string, object?> log) =>
        "{" + string.Join(", ", log.Select(kv => $"'{kv.Key}': {Value(kv.Value)}")) + "}";

    static string Value(object? v) => v switch
    {
        null => "None",
        double d => d.ToString("G6", CultureInfo.InvariantCulture),
        IFormattable f => f.ToString(null, CultureInfo.InvariantCulture),
        _ => v.ToString() ?? "",
    };
}
