using System.Text.Json;
using VisionGrpo.Cli;
using VisionGrpo.Cli.Commands;
using VisionGrpo.Recipes;
using VisionGrpo.Tests.Cli;
using VisionGrpo.Tests.Models;
using VisionGrpo.Tests.Training.Trainer;
using VisionGrpo.Training;
using VisionGrpo.Training.Inputs;
using VisionGrpo.Training.Sft;

namespace VisionGrpo.Tests.Training;

/// <summary>
/// Everything above the model on Qwen2-VL, with TRL's multi-image <c>images</c> column: GRPO, SFT, <c>eval</c>,
/// <c>generate</c> with two images and <c>lora merge</c>, on a random model of the tiny Qwen2-VL fixture's shape with
/// the real tokenizer and chat template.
/// </summary>
[Collection(GlobalRngCollection.Name)]
public sealed class Qwen2VLPipelineTests : IDisposable
{
    readonly string _root = Directory.CreateTempSubdirectory("vg-qwen2vl-").FullName;
    string Model => Path.Combine(_root, "model");
    string Data => Path.Combine(_root, "data");

    public Qwen2VLPipelineTests()
    {
        TinyVlmFolder.Create(Model, seed: 4, fixture: TinyFixture.Qwen2VL);
        Directory.CreateDirectory(Data);
        string images = Path.Combine(TinyFixture.DirOf(TinyFixture.Qwen2VL), "images");
        foreach (string png in Directory.GetFiles(images)) File.Copy(png, Path.Combine(Data, Path.GetFileName(png)));
        string[][] rows = [["img_4x12.png", "img_8x8.png"], ["img_10x14.png"], ["img_8x8.png", "img_10x14.png", "img_4x12.png"],
            ["img_4x12.png"], ["img_10x14.png", "img_8x8.png"], ["img_8x8.png"]];
        File.WriteAllLines(Path.Combine(Data, "train.jsonl"), rows.Select((r, i) => JsonSerializer.Serialize(new
        {
            images = r, problem = $"How many images are there? ({i})", solution = $"${r.Length}$",
            answer = $"<think>I count them.</think><answer>{r.Length}</answer>",
        })));
    }

    public void Dispose() => Directory.Delete(_root, recursive: true);

    RecipeConfig Recipe(string output, params string[] overrides) => RecipeLoader.Load(null,
    [
        $"model_name_or_path={Model}", $"dataset_name={Data}", $"output_dir={output}", "image_column=images",
        "per_device_train_batch_size=4", "num_generations=4", "max_completion_length=4", "max_steps=2",
        "logging_steps=1", "save_strategy=no", "bf16=false", "learning_rate=1e-2", "gradient_checkpointing=false",
        "seed=3", "torch_threads=1", .. overrides,
    ]);

    static (int Code, string Out, string Err) Cli(params string[] args) => InProcessCli.Run(args);

    [Fact]
    public void GrpoTrainsThenTheAdapterGeneratesEvaluatesAndMerges()
    {
        string output = Path.Combine(_root, "grpo");
        using (var trainer = Recipe(output).ToGrpoTrainer(rewards: [new TextLengthReward()]))
            Assert.Equal(2L, Convert.ToInt64(trainer.Train(TestContext.Current.CancellationToken)["step"]));
        using (var config = JsonDocument.Parse(File.ReadAllText(Path.Combine(output, "adapter_config.json"))))
            Assert.Equal(["q_proj", "v_proj"], config.RootElement.GetProperty("target_modules").EnumerateArray().Select(e => e.GetString()).Order());

        string image(string name) => Path.Combine(Data, name);
        var (code, json, err) = Cli("generate", "--model", Model, "--adapter", output, "--image", image("img_4x12.png"),
            "--image", image("img_10x14.png"), "--prompt", "Which is wider?", "--max-new-tokens", "4", "--temperature", "0", "--json");
        Assert.True(code == 0, err);
        Assert.InRange(JsonDocument.Parse(json).RootElement.GetProperty("generated_tokens").GetInt32(), 1, 4);

        (code, json, err) = Cli("eval", "--model", Model, "--adapter", output, "--dataset", Data, "--split", "train",
            "--set", "image_column=images", "--max-new-tokens", "3", "--json");
        Assert.True(code == 0, err);
        Assert.Equal(6, JsonDocument.Parse(json).RootElement.GetProperty("rows").GetInt32());

        string merged = Path.Combine(_root, "merged");
        (code, _, err) = Cli("lora", "merge", "--model", Model, "--adapter", output, "--output", merged);
        Assert.True(code == 0, err);
        using var model = VisionGrpo.Models.ModelFolder.Load(merged);
        Assert.Equal("qwen2_vl", model.Config.ModelType);
        Assert.Equal(0, Cli("model", "info", merged).Code);
    }

    [Fact]
    public void SftTrainsOnMultiImageRows()
    {
        var recipe = Recipe(Path.Combine(_root, "sft"), "completion_column=answer", "num_generations=2");
        var data = RecipeDatasets.Load(recipe);
        using var policy = PolicyModel.Load(RecipeMapping.ToPolicyLoadOptions(recipe));
        var collator = new SftCollator(policy.PromptBuilder(RecipeMapping.ToPromptOptions(recipe)), policy.Text.Tokenizer, recipe.CompletionColumn);
        var result = new SftTrainer(policy, data.Train, collator, RecipeMapping.ToSftOptions(recipe), null, null).Train(TestContext.Current.CancellationToken);
        Assert.Equal(2, result.GlobalStep);
    }
}
