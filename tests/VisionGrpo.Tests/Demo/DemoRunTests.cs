using System.Text.Json.Nodes;
using VisionGrpo.Cli;
using VisionGrpo.Cli.Commands;
using Xunit;

namespace VisionGrpo.Tests.Demo;

/// <summary>
/// The README's first command, shortened: the demo recipe on the shipped demo model, a few steps, with its report
/// (before/after table, summary.json, chart, final adapter) — so CI keeps the demo working.
/// </summary>
[Collection(GlobalRngCollection.Name)]
public sealed class DemoRunTests : IDisposable
{
    readonly string _out = Path.Combine(Path.GetTempPath(), "vg-demo-" + Guid.NewGuid().ToString("N")[..8]);

    public void Dispose()
    {
        if (Directory.Exists(_out)) Directory.Delete(_out, recursive: true);
    }

    [Fact]
    public void AShortDemoRunReportsBeforeAndAfter()
    {
        string root = TestPaths.RepoRoot;
        var cli = new System.CommandLine.RootCommand();
        cli.Options.Add(CliOptions.Verbose);
        cli.Subcommands.Add(TrainCommand.Create());
        var stdout = new StringWriter();
        var stderr = new StringWriter();
        int code = CliRunner.Run(cli,
        [
            "train", "--config", Path.Combine(root, "recipes", "demo.yaml"),
            "--set", $"model_name_or_path={Path.Combine(root, "models", "visiongrpo-demo")}",
            "--set", "dataset_name=synth:visual_math?rows=24&seed=5&difficulty=demo&tasks=count_dots",
            "--set", "test_size=4", "--set", "max_steps=2", "--set", "num_generations=4", "--set", "per_device_train_batch_size=8",
            "--set", $"output_dir={_out}", "--set", "logging_steps=1",
        ], stdout, stderr);
        Assert.True(code == 0, stderr.ToString());
        string text = stdout.ToString();
        Assert.Contains("before", text);
        Assert.Contains("inference time:", text);

        var summary = JsonNode.Parse(File.ReadAllText(Path.Combine(_out, "summary.json")))!;
        foreach (string phase in new[] { "before", "after" })
        {
            Assert.InRange(summary[phase]!["accuracy_reward"]!.GetValue<double>(), 0, 1);
            Assert.InRange(summary[phase]!["format_reward"]!.GetValue<double>(), 0, 1);
        }
        Assert.Equal(2, summary["steps"]!.GetValue<long>());
        Assert.True(summary["wall_seconds"]!.GetValue<double>() > 0);
        Assert.True(new FileInfo(Path.Combine(_out, "rewards.png")).Length > 1000);
        Assert.True(File.Exists(Path.Combine(_out, "adapter_model.safetensors")));
    }
}
