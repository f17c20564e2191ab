using System.CommandLine;

namespace VisionGrpo.Cli.Commands;

/// <summary><c>visiongrpo lora …</c>: PEFT-compatible LoRA adapters.</summary>
internal static class LoraCommand
{
    public static Command Create()
    {
        var command = new Command("lora", "PEFT-compatible LoRA adapters: parameter counts, merging into a plain checkpoint.");
        command.Subcommands.Add(LoraInfoCommand.Create());
        command.Subcommands.Add(LoraMergeCommand.Create());
        return command;
    }
}
