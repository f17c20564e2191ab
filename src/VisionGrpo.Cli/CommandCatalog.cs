using System.CommandLine;
using VisionGrpo.Cli.Commands;

namespace VisionGrpo.Cli;

/// <summary>Every verb of <c>visiongrpo</c>, one line each (one file per verb under Commands/).</summary>
internal static class CommandCatalog
{
    public static IEnumerable<Command> All()
    {
        yield return EnvCommand.Create();
        yield return DistributedCommand.Create();
        yield return RewardCommand.Create();
        yield return MathVerifyCommand.Create();
        yield return ConfigCommand.Create();
        yield return TokenizeCommand.Create();
        yield return ChatTemplateCommand.Create();
        yield return PreprocessImageCommand.Create();
        yield return GrpoCommand.Create();
        yield return ModelCommand.Create();
        yield return DataCommand.Create();
        yield return DownloadCommand.Create();
        yield return GenerateCommand.Create();
        yield return LoraCommand.Create();
        yield return EvalCommand.Create();
        yield return SftCommand.Create();
        yield return TrainCommand.Create();
    }
}
