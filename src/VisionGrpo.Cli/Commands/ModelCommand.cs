using System.CommandLine;

namespace VisionGrpo.Cli.Commands;

/// <summary><c>visiongrpo model …</c>: inspect, create and run Qwen2.5-VL / Qwen2 models.</summary>
internal static class ModelCommand
{
    public static Command Create()
    {
        var command = new Command("model", "Inspect, create and run Qwen2.5-VL / Qwen2 models.");
        command.Subcommands.Add(ModelInfoCommand.Create());
        command.Subcommands.Add(ModelInitCommand.Create());
        command.Subcommands.Add(ModelRunCommand.Create());
        return command;
    }
}
