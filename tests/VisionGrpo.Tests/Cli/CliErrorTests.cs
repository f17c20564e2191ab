using VisionGrpo.Cli;
using VisionGrpo.Recipes;

namespace VisionGrpo.Tests.Cli;

public class CliErrorTests
{
    [Fact]
    public void ErrorsAreOneRedLine()
    {
        var error = new StringWriter();
        CliRunner.ReportError(new ConfigException("learning_rate: expects a number,\ngot 'x' [and brackets]"), verbose: false, error);
        string text = error.ToString();
        Assert.Single(text.TrimEnd('\n').Split('\n'));
        Assert.Contains("error:", text);
        Assert.Contains("learning_rate: expects a number, got 'x' [and brackets]", text);
    }

    [Fact]
    public void VerboseShowsTheStack()
    {
        var error = new StringWriter();
        Exception thrown;
        try { throw new InvalidOperationException("boom"); } catch (Exception e) { thrown = e; }
        CliRunner.ReportError(thrown, verbose: true, error);
        Assert.Contains("boom", error.ToString());
        Assert.Contains(nameof(VerboseShowsTheStack), error.ToString());
    }

    [Fact]
    public void UnknownConfigKeyExitsNonZero()
    {
        var root = new System.CommandLine.RootCommand();
        root.Options.Add(CliOptions.Verbose);
        root.Subcommands.Add(VisionGrpo.Cli.Commands.ConfigCommand.Create());
        var saved = Console.Error;
        Assert.Equal(1, CliRunner.Run(root, ["config", "--set", "lerning_rate=1"]));
    }
}
