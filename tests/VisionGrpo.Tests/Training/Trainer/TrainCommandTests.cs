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

    // Without --config, train runs the built-in demo (shipped next to the CLI, so next to the tests too): these runs
    // start from TRL's defaults instead, an empty recipe.
    string TrlDefaults()
    {
        string path = Path.Combine(fixture.Root, "trl-defaults.yaml");
        File.WriteAllText(path, "# TRL's defaults only\n");
        return path;
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
        var (code, _, error) = Run("train", "-c", TrlDefaults(), "--set", $"model_name_or_path={fixture.Model}", "--set", $"dataset_name={fixture.Data}",
            "--set", $"output_dir={output}", "--set", set);
        Assert.Equal(1, code);
        Assert.Contains(named, error);
        Assert.Single(error.TrimEnd('\n').Split('\n'));
    }

    [Fact]
    public void ARunPrintsLogLinesAndSavesTheAdapter()
    {
        string output = Path.Combine(fixture.Root, "cli-run");
        var (code, stdout, stderr) = Run("train", "-c", TrlDefaults(), "--set", $"model_name_or_path={fixture.Model}", "--set", $"dataset_name={fixture.Data}",
            "--set", $"output_dir={output}", "--set", "max_steps=2", "--set", "per_device_train_batch_size=2", "--set", "num_generations=2",
            "--set", "max_completion_length=4", "--set", "bf16=false", "--set", "save_steps=2", "--set", "logging_steps=1");
        Assert.True(code == 0, stderr);
        Assert.Contains("{'loss': ", stdout);
        Assert.Contains("'train_runtime': ", stdout);
        Assert.True(File.Exists(Path.Combine(output, "adapter_model.safetensors")));
        Assert.True(File.Exists(Path.Combine(output, "checkpoint-2", "trainer_state.json")));
    }

    /// <summary>
    /// TRL-style flags (<c>--learning_rate</c>, <c>--lr-scheduler-type</c>) reach the trainer, and redirected output
    /// has each log entry on one line, however long (no wrapping at 80 columns).
    /// </summary>
    [Fact]
    public void RecipeKeyFlagsTakeEffectAndEachLogEntryIsOneLine()
    {
        string output = Path.Combine(fixture.Root, "cli-flags");
        var (code, stdout, stderr) = Run("train", "-c", TrlDefaults(), "--model_name_or_path", fixture.Model, "--dataset-name", fixture.Data,
            "--output_dir", output, "--max_steps", "2", "--per_device_train_batch_size", "2", "--num_generations", "2",
            "--max_completion_length", "4", "--bf16", "false", "--save_strategy", "no", "--logging_steps", "1",
            "--learning_rate", "1e-4", "--lr-scheduler-type", "constant");
        Assert.True(code == 0, stderr);
        var logs = stdout.Split('\n').Where(l => l.StartsWith("{'loss': ", StringComparison.Ordinal)).ToList();
        Assert.Equal(2, logs.Count);
        foreach (string line in logs)
        {
            Assert.True(line.Length > 80, line);
            Assert.EndsWith("}", line);
            Assert.Contains("'learning_rate': 0.0001,", line);
        }
        Assert.All(File.ReadAllLines(Path.Combine(output, "metrics.jsonl")).Where(l => l.Contains("\"loss\"", StringComparison.Ordinal)),
            l => Assert.Contains("\"learning_rate\": 0.0001", l));
    }
}
