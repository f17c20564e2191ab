using VisionGrpo.Cli;
using VisionGrpo.Cli.Commands;

namespace VisionGrpo.Tests.Cli;

/// <summary>The whole <c>visiongrpo</c> command tree run in this process, with its output and error streams captured.</summary>
internal static class InProcessCli
{
    /// <summary>Runs <c>visiongrpo args…</c> and returns the exit code and both streams.</summary>
    public static (int Code, string Out, string Err) Run(params string[] args)
    {
        var root = CliRunner.CreateRoot("test");
        root.Options.Add(CliOptions.Verbose);
        foreach (var command in CommandCatalog.All()) root.Subcommands.Add(command);
        var (output, error) = (new StringWriter(), new StringWriter());
        return (CliRunner.Run(root, args, output, error), output.ToString(), error.ToString());
    }
}
