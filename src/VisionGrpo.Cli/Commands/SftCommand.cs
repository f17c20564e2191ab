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
/// prompt, a completion column) with completion-only loss; a progress bar on a terminal, one line per log otherwise.
/// </summary>
internal static class SftCommand
{
    public static Command Create()
    {
        var recipe = new RecipeOptions();
        var command = new Command("sft", "Supervised fine-tuning (TRL SFTTrainer style): the GRPO prompt + a completion column, loss on completion tokens only. Every recipe key is also a flag (--learning_rate 1e-5).");
        recipe.AddTo(command);
        command.SetAction((parse, ct) =>
        {
            if (parse.GetValue(recipe.Config) is null)
                throw new ArgumentException("sft needs a recipe: --config recipes/demo_sft.yaml (keys: visiongrpo config --keys).");
            var config = recipe.Load(parse);
            var output = parse.InvocationConfiguration.Output;
            if (parse.GetValue(recipe.PrintConfig)) output.Write(RecipeWriter.ToYaml(config));
            else Run(config, output, ct);
            return Task.FromResult(0);
        });
        return command;
    }

    static void Run(RecipeConfig config, TextWriter output, CancellationToken ct)
    {
        TorchRuntime.EnsureInitialized();
        var training = new TrainingConsole(output);
        var console = training.Out;
        var events = training.Events(step => string.Create(CultureInfo.InvariantCulture,
            $"step {step.Step}/{step.MaxSteps} loss {step.Loss:F3} {step.TokensPerSecond:F0} tok/s"));
        var data = RecipeDatasets.Load(config, events.Info);
        if (data.BadRows.Count > 0) events.Warning!(data.BadRows.Summary());
        var options = RecipeMapping.ToSftOptions(config);
        string? resume = SftTrainer.CheckpointToResume(options);
        using var policy = PolicyModel.Load(RecipeMapping.ToPolicyLoadOptions(config), resume);
        var collator = new SftCollator(policy.PromptBuilder(RecipeMapping.ToPromptOptions(config)), policy.Text.Tokenizer, options.CompletionColumn);
        // Fail before training when the first row lacks the completion column, naming it.
        collator.CompletionIds(data.Train[0]);
        var trainer = new SftTrainer(policy, data.Train, collator, options, events, resume);
        long trainable = policy.TrainableParameters.Sum(p => p.Parameter.numel());
        console.MarkupLine(Markup.Escape(string.Create(CultureInfo.InvariantCulture,
            $"sft: {data.Train.Count} rows, {trainer.MaxSteps} steps ({trainer.Epochs} epoch(s) of batch {config.PerDeviceTrainBatchSize} x {config.GradientAccumulationSteps}), {trainable:N0} trainable parameters ({(policy.Peft is null ? "full" : "LoRA")}) -> {config.OutputDir}")));
        using var graceful = TerminationSignals.StopGracefully(); // SIGTERM: finish the step, save a checkpoint, exit
        var result = training.Run(trainer.MaxSteps, trainer.State.GlobalStep, () => trainer.Train(ct));
        console.MarkupLine(Markup.Escape(string.Create(CultureInfo.InvariantCulture,
            $"done: {result.GlobalStep} steps in {result.RuntimeSeconds:F1} s, train_loss {result.TrainLoss:G4}")));
    }
}
