using System.Text.Json.Nodes;
using VisionGrpo.Data;
using VisionGrpo.Lora;
using VisionGrpo.Recipes;
using VisionGrpo.Rewards;
using VisionGrpo.Training;
using VisionGrpo.Training.Config;
using VisionGrpo.Training.Logging;
using VisionGrpo.Training.Optim;
using Xunit;

namespace VisionGrpo.Tests.Training.Trainer;

/// <summary>
/// The object-first API, as a C# user writes it (TRL's GRPOTrainer(model, reward_funcs, args, train_dataset)): the
/// shipped demo model loaded without a recipe, rows in memory, a lambda and an async lambda reward, typed options.
/// </summary>
[Collection(GlobalRngCollection.Name)]
public sealed class CSharpApiTests : IDisposable
{
    readonly string _out = Path.Combine(Path.GetTempPath(), "vg-api-" + Guid.NewGuid().ToString("N")[..8]);
    static string Demo => Path.Combine(TestPaths.RepoRoot, "models", "visiongrpo-demo");

    public void Dispose()
    {
        if (Directory.Exists(_out)) Directory.Delete(_out, recursive: true);
    }

    static Dataset Rows(int count) => Dataset.FromRows(Enumerable.Range(0, count).Select(i => new Dictionary<string, object?>
    {
        ["problem"] = $"What is {i} + {i + 1}?",
        ["solution"] = $"{2 * i + 1}",
    }));

    GrpoConfig Args => new()
    {
        OutputDir = _out,
        MaxSteps = 2,
        PerDeviceTrainBatchSize = 4,
        NumGenerations = 4,
        MaxCompletionLength = 8,
        LearningRate = 1e-3,
        LoggingSteps = 1,
        LossType = GrpoLossType.Dapo,
        ScaleRewards = ScaleRewards.Batch,
        LrSchedulerType = LrSchedulerType.Constant,
        SaveStrategy = IntervalStrategy.No,
        ReportToTensorBoard = false,
        ImageColumn = null,
        Seed = 7,
    };

    [Fact]
    public void A_trainer_built_in_code_trains_and_logs_each_reward_under_its_name()
    {
        int judged = 0;
        var length = RewardFunction.From("length", batch => batch.Completions.Select(c => c.Length % 3 / 2f));
        var judge = RewardFunction.FromAsync("judge", async (batch, ct) =>
        {
            await Task.Yield();
            Interlocked.Add(ref judged, batch.Count);
            // The dataset's other columns reach the reward, aligned with the completions.
            return Enumerable.Range(0, batch.Count).Select(i => batch.Completions[i].Contains(batch.ColumnString("solution", i)) ? 1f : 0f);
        }, weight: 0.5f);
        using var policy = PolicyModel.Load(new PolicyLoadOptions
        {
            ModelNameOrPath = Demo,
            Bf16 = false,
            Device = "cpu",
            GradientCheckpointing = false,
            Peft = new LoraConfig { R = 4, LoraAlpha = 8, TargetModules = LoraTargetModules.FromNames(["q_proj", "v_proj"]) },
        });

        using (var trainer = new GrpoTrainer(policy, [length, judge], Args, Rows(6), evalDataset: Rows(2)))
        {
            Assert.Equal(2, trainer.MaxSteps);
            trainer.Train(TestContext.Current.CancellationToken);
        }

        var logs = File.ReadAllLines(Path.Combine(_out, TrainingLoggers.MetricsFileName)).Select(l => JsonNode.Parse(l)!.AsObject()).ToList();
        var steps = logs.Where(l => l.ContainsKey("loss")).ToList();
        Assert.Equal([1L, 2L], steps.Select(l => (long)l["step"]!));
        foreach (var key in new[] { "rewards/length/mean", "rewards/length/std", "rewards/judge/mean", "reward", "reward_std", "learning_rate" })
            Assert.All(steps, l => Assert.True(l.ContainsKey(key), $"no {key} in {l.ToJsonString()}"));
        Assert.All(steps, l => Assert.Equal(1e-3, (double)l["learning_rate"]!, 12));
        Assert.Equal(2 * 4, judged);
        // What the run was configured with is recorded next to the adapter, under TRL's names.
        var args = JsonNode.Parse(File.ReadAllText(Path.Combine(_out, "training_args.yaml")))!;
        Assert.Equal("dapo", (string)args["loss_type"]!);
        Assert.Equal("batch", (string)args["scale_rewards"]!);
        Assert.True(File.Exists(Path.Combine(_out, LoraConfig.FileName)));
        Assert.True(File.Exists(Path.Combine(_out, "metrics.jsonl")));
    }

    [Theory]
    [InlineData("loss_type")]
    [InlineData("learning_rate")]
    [InlineData("num_generations")]
    [InlineData("scale_rewards")]
    [InlineData("save_strategy")]
    [InlineData("generation_kwargs.beam_width")]
    [InlineData("max_completion_length")]
    public void An_invalid_typed_option_throws_naming_it_before_anything_loads(string option)
    {
        var args = option switch
        {
            "loss_type" => Args with { LossType = (GrpoLossType)42 },
            "learning_rate" => Args with { LearningRate = -1e-5 },
            "num_generations" => Args with { NumGenerations = 3 },  // 4 completions per micro-step do not split into groups of 3
            "scale_rewards" => Args with { ScaleRewards = ScaleRewards.Batch, TrlCompat = TrlCompat.V0_20, LossType = GrpoLossType.Bnpo },
            "save_strategy" => Args with { SaveStrategy = (IntervalStrategy)7 },
            "generation_kwargs.beam_width" => Args with { GenerationKwargs = new Dictionary<string, object> { ["beam_width"] = 4 } },
            _ => Args with { MaxCompletionLength = 0 },
        };
        var e = Assert.Throws<ConfigException>(() => args.Validate());
        Assert.Contains(option, e.Message);
        // The trainer validates on construction, before it loads a model (this one does not exist).
        var fromTrainer = Assert.Throws<ConfigException>(() => new GrpoTrainer("/no/such/model", [RewardFunction.From("r", b => b.Completions.Select(_ => 1f))], args, Rows(2)));
        Assert.Equal(e.Message, fromTrainer.Message);
        Assert.False(Directory.Exists(_out));
    }

    [Fact]
    public void A_recipe_built_in_code_is_validated_like_a_loaded_one()
    {
        var recipe = new RecipeConfig { ModelNameOrPath = Demo, DatasetName = "/no/such/data", OutputDir = _out, LossType = "foo" };
        Assert.Contains("loss_type 'foo'", Assert.Throws<ConfigException>(() => recipe.ToGrpoTrainer()).Message);
        recipe.LossType = "dapo";
        recipe.LearningRate = -1;
        Assert.Contains("learning_rate", Assert.Throws<ConfigException>(() => recipe.ToGrpoTrainer()).Message);
        recipe.LearningRate = 1e-5;
        recipe.NumGenerations = 3;   // 8 completions per micro-step
        Assert.Contains("num_generations (3)", Assert.Throws<ConfigException>(() => recipe.ToGrpoTrainer()).Message);
        Assert.False(Directory.Exists(_out));
    }

    [Fact]
    public void Generation_kwargs_of_the_wrong_type_name_the_key()
    {
        var args = Args with { GenerationKwargs = new Dictionary<string, object> { ["top_k"] = 2.5 } };
        Assert.Contains("generation_kwargs.top_k expects an integer", Assert.Throws<ConfigException>(() => args.Validate()).Message);
        Assert.Equal(20, (Args with { GenerationKwargs = new Dictionary<string, object> { ["top_k"] = 20 } }).GenerationOptions().TopK);
    }

    [Fact]
    public void Invalid_load_options_name_the_option()
    {
        Assert.Contains("model_name_or_path", Assert.Throws<ConfigException>(() => PolicyModel.Load(new PolicyLoadOptions { ModelNameOrPath = " " })).Message);
        Assert.Contains("torch_threads", Assert.Throws<ConfigException>(() => new PolicyLoadOptions { ModelNameOrPath = Demo, TorchThreads = -1 }.Validate()).Message);
    }

    [Fact]
    public void A_lambda_reward_must_score_every_completion()
    {
        var batch = new RewardBatch(["p", "p"], ["a", "b"]);
        var bad = RewardFunction.From("short", b => new float?[] { 1f });
        Assert.Contains("reward 'short' returned 1 scores for 2 completions", Assert.Throws<InvalidOperationException>(() => bad.Score(batch, TestContext.Current.CancellationToken)).Message);
        var partial = RewardFunction.From("partial", b => b.Completions.Select(c => c == "a" ? (float?)1f : null), weight: 2f);
        Assert.Equal([1f, null], partial.Score(batch, TestContext.Current.CancellationToken));
        Assert.Equal(2f, partial.Weight);
    }

    // The test project sees internals; a user's app (samples/CustomReward) does not. Everything the object-first API
    // and the sample name must stay public.
    [Fact]
    public void The_types_a_csharp_user_needs_are_public()
    {
        Type[] api =
        [
            typeof(GrpoTrainer), typeof(GrpoConfig), typeof(PolicyModel), typeof(PolicyLoadOptions), typeof(TrainerEvents),
            typeof(VisionGrpo.Training.Inputs.PromptOptions), typeof(VisionGrpo.Training.Inputs.SystemPrompts),
            typeof(VisionGrpo.Training.Inputs.TrainingDatasets), typeof(GrpoLossType), typeof(ScaleRewards),
            typeof(ImportanceSamplingLevel), typeof(IntervalStrategy), typeof(TrlCompat), typeof(LrSchedulerType),
            typeof(Dataset), typeof(VisionGrpo.Data.Validation.BadRowPolicy), typeof(LoraConfig), typeof(LoraTargetModules),
            typeof(IRewardFunction), typeof(RewardFunction), typeof(RewardBatch), typeof(FormatReward), typeof(ConfigException),
            typeof(VisionGrpo.Data.Synthetic.VisualMathGenerator), typeof(VisionGrpo.Data.Synthetic.SynthDifficulty),
            typeof(RecipeTrainer), typeof(RecipeMapping), typeof(RecipeLoader), typeof(RecipeConfig),
        ];
        Assert.Empty(api.Where(t => !t.IsPublic).Select(t => t.FullName));
    }

    [Fact]
    public void Rows_in_memory_keep_their_types_and_columns()
    {
        var data = Dataset.FromRows([
            new Dictionary<string, object?> { ["problem"] = "a", ["n"] = 3, ["x"] = 0.5f },
            new Dictionary<string, object?> { ["problem"] = "b", ["flag"] = true },
        ], name: "mine");
        Assert.Equal(["problem", "n", "x", "flag"], data.ColumnNames);
        Assert.Equal(3L, data[0]["n"]);
        Assert.Equal(0.5, data[0]["x"]);
        Assert.Null(data[1]["n"]);
        Assert.Equal("int64", data.Features[1].Value.Dtype);
        var mixed = Assert.Throws<ArgumentException>(() => Dataset.FromRows([
            new Dictionary<string, object?> { ["n"] = 1 }, new Dictionary<string, object?> { ["n"] = "one" }]));
        Assert.Contains("row 1, column 'n'", mixed.Message);
        Assert.Contains("column 'when'", Assert.Throws<ArgumentException>(() => Dataset.FromRows([
            new Dictionary<string, object?> { ["when"] = DateTime.UnixEpoch }])).Message);
    }
}
