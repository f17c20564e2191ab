using System.CommandLine;
using VisionGrpo.Cli;
using VisionGrpo.Cli.Commands;

namespace VisionGrpo.Tests.Cli;

/// <summary>Flag spelling across verbs: recipe keys as flags, -c/--config, old spellings, the usage name.</summary>
public class CliFlagsTests
{
    static (int Code, string Out, string Err) Run(Command verb, params string[] args)
    {
        var root = CliRunner.CreateRoot("test");
        root.Options.Add(CliOptions.Verbose);
        root.Subcommands.Add(verb);
        var output = new StringWriter();
        var error = new StringWriter();
        return (CliRunner.Run(root, args, output, error), output.ToString(), error.ToString());
    }

    static string Recipe => Path.Combine(TestPaths.RepoRoot, "recipes", "qwen2_5_vl_3b_grpo.yaml");

    [Theory]
    [InlineData("--learning_rate")]
    [InlineData("--learning-rate")]
    public void RecipeKeysAreFlagsInBothSpellings(string flag)
    {
        var (code, output, error) = Run(TrainCommand.Create(), "train", "-c", Recipe, flag, "3e-4", "--print-config");
        Assert.True(code == 0, error);
        Assert.Contains("learning_rate: 0.0003\n", output);
    }

    [Fact]
    public void BareBooleansListsAndAliasesWork()
    {
        var (code, output, error) = Run(TrainCommand.Create(), "train", "-c", Recipe, "--gradient_checkpointing",
            "--target_modules", "q_proj", "k_proj", "--reward-funcs", "format,accuracy", "--r", "4", "--print-config");
        Assert.True(code == 0, error);
        Assert.Contains("gradient_checkpointing: true\n", output);
        Assert.Contains("lora_target_modules: [\"q_proj\", \"k_proj\"]\n", output);
        Assert.Contains("reward_funcs: [\"format\", \"accuracy\"]\n", output);
        Assert.Contains("lora_r: 4\n", output);
    }

    [Theory]
    [InlineData("--model_name_or_path", "some/model")]
    [InlineData("--set", "dataset_name=data.jsonl")]
    public void WithoutConfigOwnModelOrDataStartsFromTrlDefaultsNotTheDemo(string flag, string value)
    {
        var (code, output, error) = Run(TrainCommand.Create(), "train", flag, value, "--print-config");
        Assert.True(code == 0, error);
        Assert.Contains("learning_rate: 1e-06\n", output);      // TRL's default, not the demo's 5e-4
        Assert.DoesNotContain("visiongrpo-demo", output);
        var (demoCode, demo, demoError) = Run(TrainCommand.Create(), "train", "--max_steps", "3", "--print-config");
        Assert.True(demoCode == 0, demoError);
        Assert.Contains("visiongrpo-demo", demo);             // only flags that leave model and data alone keep the demo
    }

    [Fact]
    public void SetAppliesAfterTheFlags()
    {
        var (code, output, _) = Run(SftCommand.Create(), "sft", "--config", Path.Combine(TestPaths.RepoRoot, "recipes", "demo_sft.yaml"),
            "--seed", "1", "--set", "seed=2", "--print-config");
        Assert.Equal(0, code);
        Assert.Contains("seed: 2\n", output);
    }

    [Theory]
    [InlineData("--max_steps", "x", "max_steps")]           // the value is checked like --set's
    [InlineData("--learning_rate", "", "--learning_rate needs a value")]
    [InlineData("--seed", "1 2", "--seed takes one value")]
    public void BadFlagValuesAreOneErrorLine(string flag, string values, string expected)
    {
        string[] args = ["train", "-c", Recipe, flag, .. values.Split(' ', StringSplitOptions.RemoveEmptyEntries), "--print-config"];
        var (code, _, error) = Run(TrainCommand.Create(), args);
        Assert.Equal(1, code);
        Assert.Contains(expected, error);
        Assert.Single(error.TrimEnd('\n').Split('\n'));
    }

    [Fact]
    public void AnUnknownFlagIsAnError()
    {
        var (code, _, error) = Run(TrainCommand.Create(), "train", "-c", Recipe, "--lerning_rate", "1", "--print-config");
        Assert.NotEqual(0, code);
        Assert.Contains("--lerning_rate", error);
    }

    [Fact]
    public void EvalKeepsItsOwnOptionsAndTakesTheRecipeOnes()
    {
        var eval = EvalCommand.Create();
        var names = eval.Options.SelectMany(o => o.Aliases.Append(o.Name)).ToList();
        Assert.Contains("-c", names);
        Assert.Contains("--learning_rate", names);
        Assert.Single(names, n => n == "--temperature");  // eval's own option, not a second one from the recipe keys
        Assert.Equal(names.Count, names.Distinct().Count());
    }

    [Fact]
    public void UsageLinesNameTheCommandAndHideOldSpellings()
    {
        var (code, output, _) = Run(DataCommand.Create(), "data", "synth", "--help");
        Assert.Equal(0, code);
        Assert.Contains("visiongrpo data synth [options]", output);
        Assert.Contains("--output", output);
        Assert.DoesNotContain("--out ", output);
        Assert.DoesNotContain("--lr_scheduler_type", Run(TrainCommand.Create(), "train", "--help").Out);  // ~100 key flags stay hidden
    }

    [Fact]
    public void AnOldSpellingStillWorks()
    {
        var current = new Option<int>("--head") { DefaultValueFactory = _ => 3 };
        var old = CliOptions.OldSpelling("--rows", current);
        var command = new Command("inspect") { current, old };
        Assert.Equal(7, CliOptions.ValueOf(command.Parse(["--rows", "7"]), current, old));
        Assert.Equal(5, CliOptions.ValueOf(command.Parse(["--head", "5"]), current, old));
        Assert.Equal(3, CliOptions.ValueOf(command.Parse([]), current, old));
        Assert.True(old.Hidden);
    }
}
