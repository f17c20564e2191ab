using VisionGrpo.Data.Synthetic;
using VisionGrpo.Recipes;
using VisionGrpo.Rewards;
using VisionGrpo.Tensors;

namespace VisionGrpo.Tests.Training.Trainer;

/// <summary>
/// A tiny random VLM with the real Qwen2.5-VL tokenizer plus a small synthetic visual-math dataset, shared by the
/// trainer tests (built once per test class), and a recipe for a few fast GRPO steps on it.
/// </summary>
public sealed class TrainerFixture : IDisposable
{
    public string Root { get; } = Path.Combine(Path.GetTempPath(), "vg-trainer-" + Guid.NewGuid().ToString("N"));
    public string Model => Path.Combine(Root, "model");
    public string Data => Path.Combine(Root, "data");

    public TrainerFixture()
    {
        TorchRuntime.EnsureInitialized();
        TinyVlmFolder.Create(Model, seed: 5);
        SynthDatasetWriter.Write(Data, new VisualMathGenerator(7), rows: 12, shards: 1);
    }

    /// <summary>A recipe for a fast run: 1 prompt x 4 generations per step, 6-token completions, fp32, LoRA lr 1e-2.</summary>
    public RecipeConfig Recipe(string outputDir, params string[] overrides) => RecipeLoader.Load(null,
    [
        $"model_name_or_path={Model}", $"dataset_name={Data}", $"output_dir={outputDir}", "test_size=2",
        "per_device_train_batch_size=4", "num_generations=4", "max_completion_length=6", "max_steps=4",
        "logging_steps=1", "save_steps=2", "bf16=false", "learning_rate=1e-2", "lora_dropout=0.1",
        "gradient_checkpointing=false", "seed=3", .. overrides,
    ]);

    public void Dispose()
    {
        try { Directory.Delete(Root, recursive: true); } catch (IOException) { }
    }
}

/// <summary>A reward that varies with the (random) completion text, so groups carry signal: (length mod 3) / 2.</summary>
internal sealed class TextLengthReward : IRewardFunction
{
    public string Name => "length_reward";
    public float Weight => 1f;
    public float?[] Score(RewardBatch batch, CancellationToken cancellationToken = default) =>
        batch.Completions.Select(c => (float?)(c.Length % 3 / 2f)).ToArray();
}
