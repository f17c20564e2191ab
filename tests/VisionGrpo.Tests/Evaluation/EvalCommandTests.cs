using System.Text.Json;
using VisionGrpo.Cli;
using VisionGrpo.Cli.Commands;
using VisionGrpo.Recipes;
using VisionGrpo.Training.Inputs;
using Xunit;

namespace VisionGrpo.Tests.Evaluation;

/// <summary><c>visiongrpo eval</c> end to end on the tiny random VLM and a synthetic dataset.</summary>
public sealed class EvalCommandTests(EvalFixture fixture) : IClassFixture<EvalFixture>
{
    (int Code, string Out, string Err) Run(params string[] args)
    {
        var root = new System.CommandLine.RootCommand();
        root.Options.Add(CliOptions.Verbose);
        root.Subcommands.Add(EvalCommand.Create());
        var (output, error) = (new StringWriter(), new StringWriter());
        return (CliRunner.Run(root, args, output, error), output.ToString(), error.ToString());
    }

    string[] Base(params string[] more) =>
        ["eval", "--model", fixture.ModelDir, "--dataset", fixture.DatasetDir, "--max-new-tokens", "3", .. more];

    static string[] Lines(string path) => File.ReadAllLines(path).Where(l => l.Length > 0).ToArray();

    [Fact]
    public void JsonOutputHasTheMetricsAndSizesAndSamplesAreWritten()
    {
        string samples = Path.Combine(fixture.Root, "json-samples.jsonl");
        var (code, output, err) = Run(Base("--split", "train", "--limit", "3", "--num-generations", "2", "--samples", samples, "--json"));
        Assert.True(code == 0, err);
        using var doc = JsonDocument.Parse(output);
        var root = doc.RootElement;
        foreach (var key in new[] { "rewards/format_reward/mean", "rewards/format_reward/std", "rewards/accuracy_reward/mean",
                     "rewards/accuracy_reward/std", "reward", "reward_std", "completions/mean_length", "completions/clipped_ratio",
                     "accuracy", "format_rate", "seconds", "tokens_per_second", "generated_tokens" })
            Assert.True(root.TryGetProperty(key, out _), $"missing {key}");
        Assert.Equal("train", root.GetProperty("split").GetString());
        Assert.Equal(3, root.GetProperty("rows").GetInt32());
        Assert.Equal(6, root.GetProperty("completions").GetInt32());
        // A random model writes no <think>/<answer> structure.
        Assert.Equal(0.0, root.GetProperty("format_rate").GetDouble());

        var lines = Lines(samples);
        Assert.Equal(6, lines.Length);
        using var first = JsonDocument.Parse(lines[0]);
        var sample = first.RootElement;
        Assert.Equal(0, sample.GetProperty("row").GetInt32());
        Assert.Equal(0, sample.GetProperty("sample").GetInt32());
        Assert.Contains("<|vision_start|>", sample.GetProperty("prompt").GetString());
        Assert.InRange(sample.GetProperty("completion_tokens").GetInt32(), 1, 3);
        Assert.True(sample.GetProperty("rewards").TryGetProperty("accuracy_reward", out _));
        Assert.Contains(sample.GetProperty("finish_reason").GetString(), new[] { "eos", "length" });
        long tokens = lines.Sum(l => JsonDocument.Parse(l).RootElement.GetProperty("completion_tokens").GetInt64());
        Assert.Equal(tokens, root.GetProperty("generated_tokens").GetInt64());
    }

    [Fact]
    public void TableOutputListsMetricsAndSpeed()
    {
        var (code, output, err) = Run(Base("--split", "train[:2]", "--reward-funcs", "format"));
        Assert.True(code == 0, err);
        Assert.Contains("rewards/format_reward/mean", output);
        Assert.Contains("format_rate", output);
        Assert.DoesNotContain("accuracy", output);
        Assert.Matches(@"split train\[:2\]: 2 rows x 1 = 2 completions, \d+ tokens in \d+\.\d\d s \(\d+\.\d tokens/s\)", output);
    }

    [Fact]
    public void WithoutSplitTheRecipesHeldOutRowsAreEvaluated()
    {
        string samples = Path.Combine(fixture.Root, "heldout.jsonl");
        var (code, output, err) = Run(Base("--set", "test_size=3", "--set", "seed=11", "--samples", samples, "--json"));
        Assert.True(code == 0, err);
        Assert.Equal(3, JsonDocument.Parse(output).RootElement.GetProperty("rows").GetInt32());
        var recipe = RecipeLoader.Load(null, ["test_size=3", "seed=11", $"dataset_name={fixture.DatasetDir}"]);
        var test = RecipeDatasets.Load(recipe).Test!;
        var prompts = Lines(samples).Select(l => JsonDocument.Parse(l).RootElement.GetProperty("prompt").GetString()!).ToArray();
        for (int i = 0; i < 3; i++)
            Assert.Contains(test[i].GetString("problem")!, prompts[i]);
    }

    [Fact]
    public void SeededSamplingRepeatsAndAnAdapterIsApplied()
    {
        string Completions(string name, params string[] more)
        {
            string path = Path.Combine(fixture.Root, name + ".jsonl");
            var (code, _, err) = Run(Base(["--split", "train[:3]", "--temperature", "1.0", "--seed", "4", "--samples", path, "--json", .. more]));
            Assert.True(code == 0, err);
            return string.Join("\n", Lines(path).Select(l => JsonDocument.Parse(l).RootElement.GetProperty("completion").GetString()));
        }

        string zero = Path.Combine(fixture.Root, "adapter-zero"), strong = Path.Combine(fixture.Root, "adapter-strong");
        TinyVlmFolder.SaveAdapters(fixture.ModelDir, zero, strong);
        string plain = Completions("plain");
        Assert.Equal(plain, Completions("plain-again"));
        Assert.Equal(plain, Completions("zero", "--adapter", zero));
        Assert.NotEqual(plain, Completions("strong", "--adapter", strong));
    }

    [Fact]
    public void TheRecipeSuppliesPromptRewardsAndSamplingAndFlagsOverrideIt()
    {
        string recipe = Path.Combine(fixture.Root, "recipe.yaml");
        File.WriteAllText(recipe, $"model_name_or_path: {fixture.ModelDir}\ndataset_name: {fixture.DatasetDir}\n" +
            "system_prompt: Answer briefly.\nreward_funcs: [format]\ntemperature: 0.7\nmax_completion_length: 2\n" +
            "test_size: 2\nseed: 3\nbf16: false\n");
        string samples = Path.Combine(fixture.Root, "recipe.jsonl");
        var (code, output, err) = Run("eval", "--config", recipe, "--samples", samples, "--json");
        Assert.True(code == 0, err);
        var root = JsonDocument.Parse(output).RootElement;
        Assert.Equal(2, root.GetProperty("rows").GetInt32());
        Assert.False(root.TryGetProperty("accuracy", out _));
        Assert.StartsWith("train (test_size=2", root.GetProperty("split").GetString());
        var sample = JsonDocument.Parse(Lines(samples)[0]).RootElement;
        Assert.Contains("Answer briefly.", sample.GetProperty("prompt").GetString());
        Assert.InRange(sample.GetProperty("completion_tokens").GetInt32(), 1, 2);

        var (again, overridden, err2) = Run("eval", "--config", recipe, "--split", "train[:1]", "--max-new-tokens", "4",
            "--reward-funcs", "format,accuracy", "--json");
        Assert.True(again == 0, err2);
        var o = JsonDocument.Parse(overridden).RootElement;
        Assert.Equal(1, o.GetProperty("rows").GetInt32());
        Assert.True(o.TryGetProperty("accuracy", out _));
        Assert.InRange(o.GetProperty("completions/mean_length").GetDouble(), 1, 4);
    }

    [Theory]
    [InlineData("--model", "eval", "--dataset", "{data}")]
    [InlineData("--model", "eval", "--model", "{root}/no-such-model", "--dataset", "{data}")]
    [InlineData("--dataset", "eval", "--model", "{model}", "--dataset", "{root}/no-such-data")]
    [InlineData("--adapter", "eval", "--model", "{model}", "--dataset", "{data}", "--adapter", "{root}/no-such-adapter")]
    [InlineData("--split", "eval", "--model", "{model}", "--dataset", "{data}", "--split", "validation")]
    [InlineData("--split", "eval", "--model", "{model}", "--dataset", "{data}")]
    [InlineData("--num-generations", "eval", "--model", "{model}", "--dataset", "{data}", "--num-generations", "0")]
    [InlineData("--batch-size", "eval", "--model", "{model}", "--dataset", "{data}", "--batch-size", "0")]
    [InlineData("--temperature", "eval", "--model", "{model}", "--dataset", "{data}", "--temperature", "-1")]
    [InlineData("--reward-funcs", "eval", "--model", "{model}", "--dataset", "{data}", "--split", "train", "--reward-funcs", "format,nope")]
    public void BadArgumentsFailWithOneLineNamingTheOption(string option, params string[] args)
    {
        var resolved = args.Select(a => a.Replace("{data}", fixture.DatasetDir).Replace("{model}", fixture.ModelDir)
            .Replace("{root}", fixture.Root)).ToArray();
        var (code, _, err) = Run(resolved);
        Assert.Equal(1, code);
        Assert.Contains(option, err);
    }
}
