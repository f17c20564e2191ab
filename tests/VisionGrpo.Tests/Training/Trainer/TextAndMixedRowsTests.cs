using System.Text.Json.Nodes;
using VisionGrpo.Data.Loading;
using VisionGrpo.Recipes;
using VisionGrpo.Text;
using VisionGrpo.Training;
using VisionGrpo.Training.Inputs;
using VisionGrpo.Training.Logging;

namespace VisionGrpo.Tests.Training.Trainer;

/// <summary>
/// GRPO as TRL runs it without images: a text model on a text dataset, a VLM on rows with and without an image in
/// one batch, <c>image_column: none</c>; and the completion files <c>log_completions</c> writes.
/// </summary>
[Collection(GlobalRngCollection.Name)]
public sealed class TextAndMixedRowsTests : IDisposable
{
    readonly string _root = Path.Combine(Path.GetTempPath(), "vg-textrows-" + Guid.NewGuid().ToString("N"));
    static string Demo => Path.Combine(TestPaths.RepoRoot, "models", "visiongrpo-demo");
    static string Dots => Path.Combine(TestPaths.RepoRoot, "docs", "images", "demo_three_dots.png");

    public void Dispose() => Directory.Delete(_root, recursive: true);

    string Jsonl(string name, params string[] lines)
    {
        string dir = Path.Combine(_root, name);
        Directory.CreateDirectory(dir);
        File.WriteAllText(Path.Combine(dir, "train.jsonl"), string.Join("\n", lines) + "\n");
        return dir;
    }

    static RecipeConfig Recipe(string model, string data, string output, params string[] overrides) => RecipeLoader.Load(null,
    [
        $"model_name_or_path={model}", $"dataset_name={data}", $"output_dir={output}", "per_device_train_batch_size=4",
        "num_generations=2", "max_completion_length=6", "max_steps=2", "logging_steps=1", "save_steps=2", "bf16=false",
        "learning_rate=1e-2", "seed=3", "report_to=[none]", "gradient_checkpointing=false", .. overrides,
    ]);

    /// <summary>Trains the recipe's two steps with a length reward (groups carry signal); both log a finite loss.</summary>
    static void TrainTwoFiniteSteps(RecipeConfig recipe)
    {
        using (var trainer = recipe.ToGrpoTrainer(rewards: [new TextLengthReward()]))
            trainer.Train(TestContext.Current.CancellationToken);
        var steps = Lines(Path.Combine(recipe.OutputDir, TrainingLoggers.MetricsFileName)).Where(l => l.ContainsKey("loss")).ToList();
        Assert.Equal(2, steps.Count);
        Assert.All(steps, l => Assert.True(double.IsFinite(l["loss"]!.GetValue<double>())));
    }

    static List<JsonObject> Lines(string file) => File.ReadAllLines(file).Select(l => JsonNode.Parse(l)!.AsObject()).ToList();

    [Fact]
    public void A_text_model_trains_on_a_text_dataset_and_log_completions_saves_each_step()
    {
        string model = TinyVlmFolder.CreateTextOnly(Path.Combine(_root, "qwen2"));
        string data = Jsonl("text", Enumerable.Range(0, 8).Select(i => $$"""{"problem": "What is {{i}} + {{i}}?", "solution": "${{2 * i}}$"}""").ToArray());
        string output = Path.Combine(_root, "out-text");
        TrainTwoFiniteSteps(Recipe(model, data, output, "log_completions=true", "num_completions_to_print=1"));
        Assert.True(File.Exists(Path.Combine(output, "checkpoint-2", "adapter_model.safetensors")));

        // completions.jsonl: every completion of each logging step (2 prompts x 2), with rewards and advantage.
        var rows = Lines(Path.Combine(output, CompletionLog.JsonlFileName));
        Assert.Equal(8, rows.Count);
        Assert.Equal(["step", "prompt", "completion", "length_reward", "advantage"], rows[0].Select(kv => kv.Key));
        Assert.Equal([1L, 1, 1, 1, 2, 2, 2, 2], rows.Select(r => r["step"]!.GetValue<long>()));
        Assert.All(rows, r => Assert.DoesNotContain("<|vision_start|>", r["prompt"]!.GetValue<string>()));
        Assert.Contains("What is ", rows[0]["prompt"]!.GetValue<string>());

        // completions/completions_0000N.parquet, TRL's table: the same rows, read back with the dataset loader.
        Assert.True(File.Exists(CompletionLog.ParquetPath(output, 1)));
        var table = DatasetLoader.Load(CompletionLog.ParquetPath(output, 2));
        Assert.Equal(["step", "prompt", "completion", "length_reward", "advantage"], table.ColumnNames);
        Assert.Equal(4, table.Count);
        for (int i = 0; i < 4; i++)
        {
            Assert.Equal(2L, table[i]["step"]);
            Assert.Equal(rows[4 + i]["completion"]!.GetValue<string>(), table[i]["completion"]);
            Assert.Equal(rows[4 + i]["advantage"]!.GetValue<double>(), (double)table[i]["advantage"]!, 6);
        }
    }

    [Fact]
    public void A_vlm_trains_on_rows_with_and_without_an_image_in_one_batch()
    {
        string data = Jsonl("mixed",
            """{"image": "dots.png", "problem": "How many dots are there in the image?", "solution": "$3$"}""",
            """{"image": null, "problem": "What is 1 + 2?", "solution": "$3$"}""");
        File.Copy(Dots, Path.Combine(_root, "mixed", "dots.png"));
        string output = Path.Combine(_root, "out-mixed");
        TrainTwoFiniteSteps(Recipe(Demo, data, output, "log_completions=true", "system_prompt="));
        // Each step's batch holds both prompts: one with the image placeholders, one text-only.
        foreach (var step in Lines(Path.Combine(output, CompletionLog.JsonlFileName)).GroupBy(r => r["step"]!.GetValue<long>()))
        {
            var prompts = step.Select(r => r["prompt"]!.GetValue<string>()).Distinct().ToList();
            Assert.Equal(2, prompts.Count);
            Assert.Single(prompts, p => p.Contains("<|vision_start|>"));
        }
    }

    [Fact]
    public void Image_column_none_gives_text_prompts_and_a_misspelt_one_is_an_error()
    {
        string data = Jsonl("images", """{"image": "dots.png", "problem": "How many dots?", "solution": "$3$"}""");
        File.Copy(Dots, Path.Combine(_root, "images", "dots.png"));
        foreach (string none in new[] { "image_column=none", "image_column=null", "image_column=None" })
            Assert.Null(RecipeMapping.ImageColumn(RecipeLoader.Load(null, [none])));
        var recipe = RecipeLoader.Load(null, [$"dataset_name={data}", "image_column=none"]);
        var rows = RecipeDatasets.Load(recipe).Train;
        var builder = new PromptBuilder(VlTextProcessor.FromDirectory(Demo), null, null, imageColumn: RecipeMapping.ImageColumn(recipe));
        var batch = builder.Build([rows[0]]);
        Assert.Null(batch.Inputs.PixelValues);
        Assert.DoesNotContain("<|vision_start|>", batch.Texts[0]);

        var misspelt = RecipeLoader.Load(null, [$"dataset_name={data}", "image_column=img"]);
        var e = Assert.Throws<ConfigException>(() => RecipeDatasets.Load(misspelt));
        Assert.Contains("image_column 'img'", e.Message);
        Assert.Contains("none", e.Message);
    }
}
