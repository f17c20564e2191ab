using VisionGrpo.Cli;
using VisionGrpo.Cli.Commands;
using Xunit;

namespace VisionGrpo.Tests.Training.Trainer;

/// <summary><c>visiongrpo train</c> from outside: config printing, errors as one line, a real short run.</summary>
[Collection(GlobalRngCollection.Name)]
public sealed class TrainCommandTests(TrainerFixture fixture) : IClassFixture<TrainerFixture>
{
    static (int Code, string Out, string Err) Run(params string[] args)
    {
        var root = new System.CommandLine.RootCommand();
        root.Options.Add(CliOptions.Verbose);
        root.Subcommands.Add(TrainCommand.Create());
        var output = new StringWriter();
        var error = new StringWriter();
        return (CliRunner.Run(root, args, output, error), output.ToString(), error.ToString());
    }

    [Fact]
    public void PrintConfigShowsTheEffectiveRecipe()
    {
        var (code, output, _) = Run("train", "--config", Path.Combine(TestPaths.RepoRoot, "recipes", "qwen2_5_vl_3b_grpo.yaml"), "--set", "learning_rate=2e-5", "--print-config");
        Assert.Equal(0, code);
        Assert.Contains("learning_rate: 2e-05", output);
        Assert.Contains("Qwen/Qwen2.5-VL-3B-Instruct", output);
    }

    [Theory]
    [InlineData("model_name_or_path=/nonexistent/model", "/nonexistent/model")]
    [InlineData("dataset_name=/nonexistent/data", "/nonexistent/data")]
    [InlineData("num_generations=3", "num_generations")]
    public void BadInputIsOneErrorLineNamingIt(string set, string named)
    {
        string output = Path.Combine(fixture.Root, "cli-bad-" + Guid.NewGuid().ToString("N")[..6]);
        var (code, _, error) = Run("train", "--set", $"model_name_or_path={fixture.Model}", "--set", $"dataset_name={fixture.Data}",
            "--set", $"output_dir={output}", "--set", set);
        Assert.Equal(1, code);
        Assert.Contains(named, error);
        Assert.Single(error.TrimEnd('\n').Split('\n'));
    }

    [Fact]
    public void ARunPrintsLogLinesAndSavesTheAdapter()
    {
        string output = Path.Combine(fixture.Root, "cli-run");
        var (code, stdout, stderr) = Run("train", "--set", $"model_name_or_path={fixture.Model}", "--set", $"dataset_name={fixture.Data}",
            "--set", $"output_dir={output}", "--set", "max_steps=2", "--set", "per_device_train_batch_size=2", "--set", "num_generations=2",
            "--set", "max_completion_length=4", "--set", "bf16=false", "--set", "save_steps=2", "--set", "logging_steps=1");
        Assert.True(code == 0, stderr);
        Assert.Contains("{'loss': ", stdout);
        Assert.Contains("'train_runtime': ", stdout);
        Assert.True(File.Exists(Path.Combine(output, "adapter_model.safetensors")));
        Assert.True(File.Exists(Path.Combine(output, "checkpoint-2", "trainer_state.json")));
    }
}
