using System.CommandLine;

namespace VisionGrpo.Cli.Commands;

/// <summary><c>visiongrpo data …</c>: dataset tools (synthesise, inspect, split indices, slices).</summary>
internal static class DataCommand
{
    public static Command Create()
    {
        var command = new Command("data", "Dataset tools: synth, inspect, split-indices, slice.");
        command.Subcommands.Add(DataSplitIndicesCommand.Create());
        command.Subcommands.Add(DataSliceCommand.Create());
        return command;
    }
}
