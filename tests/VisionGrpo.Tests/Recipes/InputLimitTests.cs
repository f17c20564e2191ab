using System.CommandLine;
using VisionGrpo.Cli;
using VisionGrpo.Cli.Commands;
using VisionGrpo.Data.Loading;
using VisionGrpo.Training;
using VisionGrpo.Training.Checkpoints;

namespace VisionGrpo.Tests.Recipes;

/// <summary>Hostile nesting and a full disk end as one actionable error, never a crash (issue 18).</summary>
public sealed class InputLimitTests : IDisposable
{
    readonly string _dir = Path.Combine(Path.GetTempPath(), "vg-limits-" + Guid.NewGuid().ToString("N"));

    public InputLimitTests() => Directory.CreateDirectory(_dir);

    public void Dispose() => Directory.Delete(_dir, recursive: true);

    static (int Code, string Err) Config(params string[] args)
    {
        var root = new RootCommand();
        root.Options.Add(CliOptions.Verbose);
        root.Subcommands.Add(ConfigCommand.Create());
        var error = new StringWriter();
        return (CliRunner.Run(root, args, new StringWriter(), error), error.ToString());
    }

    [Theory]
    [InlineData("flow")]
    [InlineData("block")]
    public void A_100000_deep_yaml_recipe_is_one_error_line(string style)
    {
        const int depth = 100_000;
        string path = Path.Combine(_dir, "deep.yaml");
        File.WriteAllText(path, style == "flow"
            ? "lora_target_modules: " + new string('[', depth) + new string(']', depth) + "\n"
            : "lora_target_modules:\n" + string.Concat(Enumerable.Range(1, 3000).Select(i => new string(' ', i) + "- \n"))); // 4.5 MB
        var (code, err) = Config("config", "--config", path);
        Assert.Equal(1, code);
        Assert.Single(err.TrimEnd('\n').Split('\n'));
        Assert.StartsWith("error: " + path, err);
        Assert.Contains("nested deeper than 64", err);

        (code, err) = Config("config", "--set", "lora_target_modules=" + new string('[', depth) + new string(']', depth));
        Assert.Equal(1, code);
        Assert.Contains("lora_target_modules", err);
    }

    [Fact]
    public void A_deeply_nested_jsonl_row_is_an_error_naming_the_file()
    {
        File.WriteAllText(Path.Combine(_dir, "train.jsonl"), "{\"x\": " + new string('[', 100_000) + new string(']', 100_000) + "}\n");
        var e = Assert.Throws<InvalidDataException>(() => DatasetLoader.Load(_dir));
        Assert.Contains("train.jsonl", e.Message);
        Assert.Contains("depth", e.Message);
    }

    [Fact]
    public void A_full_disk_while_saving_names_the_step_and_the_checkpoint_and_keeps_the_previous_one()
    {
        var store = new CheckpointStore(_dir);
        store.Save(1, dir => File.WriteAllText(Path.Combine(dir, "trainer_state.json"), "{}"), totalLimit: null);
        var e = Assert.Throws<OutputWriteException>(() => store.Save(2, dir =>
        {
            File.WriteAllText(Path.Combine(dir, "half.bin"), "x");
            throw new IOException("No space left on device");
        }, totalLimit: null));
        Assert.Contains("step 2", e.Message);
        Assert.Contains(store.PathFor(2), e.Message);
        Assert.Contains("No space left on device", e.Message);
        Assert.Equal([1L], store.List().Select(c => c.Step));
        Assert.Empty(Directory.GetDirectories(_dir, ".tmp-*"));
    }
}
