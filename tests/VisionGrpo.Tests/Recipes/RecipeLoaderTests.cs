using VisionGrpo.Recipes;

namespace VisionGrpo.Tests.Recipes;

public sealed class RecipeLoaderTests : IDisposable
{
    readonly string _dir = Directory.CreateTempSubdirectory("vg-recipe-").FullName;

    public void Dispose() => Directory.Delete(_dir, recursive: true);

    string Write(string yaml)
    {
        string path = Path.Combine(_dir, "config.yaml");
        File.WriteAllText(path, yaml);
        return path;
    }

    [Fact]
    public void DefaultsAreCurrentTrl()
    {
        var c = RecipeLoader.Load(null);
        Assert.Equal("1.9", c.TrlCompat);
        Assert.Equal("dapo", c.LossType);
        Assert.Equal(512, c.MaxCompletionLength);
        Assert.Null(c.MaxPromptLength);
        Assert.True(c.GradientCheckpointing);
        Assert.Equal(1e-6, c.LearningRate);
        Assert.Equal(8, c.NumGenerations);
        Assert.Equal(10, c.LoggingSteps);
        Assert.Equal(0.0, c.Beta);
    }

    [Fact]
    public void Trl020DefaultsApplyButExplicitValuesWin()
    {
        var c = RecipeLoader.Load(Write("loss_type: grpo\ntrl_compat: '0.20'\n"));
        Assert.Equal("0.20", c.TrlCompat);
        Assert.Equal("grpo", c.LossType); // set in the file, although 0.20's default is bnpo
        Assert.Equal(256, c.MaxCompletionLength);
        Assert.Equal(512, c.MaxPromptLength);
        Assert.False(c.GradientCheckpointing);
    }

    [Fact]
    public void CookbookRecipeLoadsWithItsValues()
    {
        string recipe = Path.Combine(TestPaths.RepoRoot, "recipes", "qwen2_5_vl_3b_grpo.yaml");
        var c = RecipeLoader.Load(recipe);
        Assert.Equal("Qwen/Qwen2.5-VL-3B-Instruct", c.ModelNameOrPath);
        Assert.Equal("train[:5%]", c.DatasetTrainSplit);
        Assert.Equal("0.2", c.TestSize);
        Assert.Equal(1e-5, c.LearningRate);
        Assert.Equal(["q_proj", "v_proj"], c.LoraTargetModules);
        Assert.Equal((8, 32.0, 0.1), (c.LoraR, c.LoraAlpha, c.LoraDropout));
        Assert.Equal((2, 2, 1024, 2048), (c.PerDeviceTrainBatchSize, c.NumGenerations, c.MaxCompletionLength, c.MaxPromptLength));
        Assert.Equal("bnpo", c.LossType);
        Assert.Equal((10, 10), (c.LoggingSteps, c.SaveSteps));
        Assert.Equal(1.0, c.NumTrainEpochs);
    }

    [Fact]
    public void SetOverridesFileAndAcceptsListsAndAliases()
    {
        var c = RecipeLoader.Load(Write("learning_rate: 3e-4\nr: 4\n"),
            ["learning_rate=1e-5", "target_modules=[q_proj, k_proj]", "reward_funcs=format,accuracy", "max_prompt_length=null"]);
        Assert.Equal(1e-5, c.LearningRate);
        Assert.Equal(4, c.LoraR);
        Assert.Equal(["q_proj", "k_proj"], c.LoraTargetModules);
        Assert.Equal(["format", "accuracy"], c.RewardFuncs);
        Assert.Null(c.MaxPromptLength);
    }

    [Fact]
    public void UnknownKeySuggestsTheClosestKnownKey()
    {
        var e = Assert.Throws<ConfigException>(() => RecipeLoader.Load(Write("seed: 1\nlerning_rate: 1e-5\n")));
        Assert.Contains("config.yaml:2", e.Message);
        Assert.Contains("'lerning_rate'", e.Message);
        Assert.Contains("did you mean 'learning_rate'", e.Message);
    }

    [Theory]
    [InlineData("num_generations: two\n", "'num_generations' expects an integer")]
    [InlineData("bf16: maybe\n", "'bf16' expects true or false")]
    [InlineData("loss_type: ppo\n", "loss_type 'ppo' is unknown")]
    [InlineData("num_generations: 1\n", "num_generations must be at least 2")]
    [InlineData("per_device_train_batch_size: 3\nnum_generations: 2\n", "must be divisible by num_generations")]
    [InlineData("seed: 1\nseed: 2\n", "Duplicate key")]
    [InlineData("r: 4\nlora_r: 8\n", "set twice")]
    [InlineData("use_vllm: true\n", "use_vllm")]
    [InlineData("trl_compat: '0.15'\n", "trl_compat '0.15' is not supported")]
    [InlineData("- a\n- b\n", "must be a mapping")]
    [InlineData("a: [1,\n", "invalid YAML")]
    public void BadValuesNameTheKey(string yaml, string expected)
    {
        var e = Assert.Throws<ConfigException>(() => RecipeLoader.Load(Write(yaml)));
        Assert.Contains(expected, e.Message);
    }

    [Fact]
    public void MissingFileIsReported()
    {
        var e = Assert.Throws<ConfigException>(() => RecipeLoader.Load(Path.Combine(_dir, "nope.yaml")));
        Assert.Contains("nope.yaml", e.Message);
    }

    [Fact]
    public void PrintedConfigLoadsBackIdentically()
    {
        var original = RecipeLoader.Load(Write("system_prompt: \"line1\\nline2: \\\"quoted\\\"\"\nlearning_rate: 2.5e-7\ngeneration_kwargs: {top_k: '3'}\n"),
            ["trl_compat=0.20"]);
        string yaml = RecipeWriter.ToYaml(original);
        var reloaded = RecipeLoader.Load(Write(yaml));
        Assert.Equal(yaml, RecipeWriter.ToYaml(reloaded));
        Assert.Equal("line1\nline2: \"quoted\"", reloaded.SystemPrompt);
        Assert.Equal(2.5e-7, reloaded.LearningRate);
        Assert.Equal("3", reloaded.GenerationKwargs!["top_k"]);
    }
}
