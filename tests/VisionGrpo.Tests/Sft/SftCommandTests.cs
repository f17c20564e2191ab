using VisionGrpo.Cli;
using VisionGrpo.Cli.Commands;

namespace VisionGrpo.Tests.Sft;

public sealed class SftCommandTests
{
    static (int Code, string Out, string Err) Run(params string[] args)
    {
        var root = new System.CommandLine.RootCommand();
        root.Options.Add(CliOptions.Verbose);
        root.Subcommands.Add(SftCommand.Create());
        var output = new StringWriter();
        var error = new StringWriter();
        return (CliRunner.Run(root, args, output, error), output.ToString(), error.ToString());
    }

    [Fact]
    public void Without_a_config_it_asks_for_one()
    {
        var (code, _, err) = Run("sft");
        Assert.Equal(1, code);
        Assert.Contains("--config", err);
    }

    [Fact]
    public void A_missing_config_file_and_an_unknown_key_are_named()
    {
        var (code, _, err) = Run("sft", "--config", "no-such-recipe.yaml");
        Assert.Equal(1, code);
        Assert.Contains("no-such-recipe.yaml", err);
        (code, _, err) = Run("sft", "--config", Path.Combine(TestPaths.RepoRoot, "recipes", "demo_sft.yaml"), "--set", "completion_colum=x");
        Assert.Equal(1, code);
        Assert.Contains("completion_colum", err);
    }

    [Fact]
    public void Print_config_shows_the_sft_keys_of_the_demo_recipe()
    {
        var (code, output, _) = Run("sft", "--config", Path.Combine(TestPaths.RepoRoot, "recipes", "demo_sft.yaml"), "--print-config");
        Assert.Equal(0, code);
        Assert.Contains("completion_column: \"teacher_completion\"", output);
        Assert.Contains("save_dtype: \"bfloat16\"", output);
    }

    [Fact]
    public void A_model_that_does_not_exist_fails_before_training()
    {
        var (code, _, err) = Run("sft", "--config", Path.Combine(TestPaths.RepoRoot, "recipes", "demo_sft.yaml"),
            "--set", "dataset_name=/nonexistent/visiongrpo-data");
        Assert.Equal(1, code);
        Assert.Contains("/nonexistent/visiongrpo-data", err);
    }
}
