using VisionGrpo.Data.Synthetic;

namespace VisionGrpo.Tests.Sft;

/// <summary>
/// A random VLM with the tiny fixture's shape but the real Qwen2.5-VL vocabulary, special ids, tokenizer, chat
/// template and image processor (the recipe path end to end), plus a small synthetic dataset with the noisy-teacher
/// column.
/// </summary>
internal sealed class SftTinySetup : IDisposable
{
    public SftTinySetup(int rows = 8)
    {
        TinyVlmFolder.Create(ModelDir, seed: 3, tieWordEmbeddings: true);
        var generator = new VisualMathGenerator(5, SynthDifficulty.Easy, VisualMathGenerator.TemplatesNamed(["count_dots"]));
        SynthDatasetWriter.Write(DataDir, generator, rows, shards: 1, seed: 5, teacher: new NoisyTeacher(generator, 0.5, 5));
    }

    public string Dir { get; } = Path.Combine(Path.GetTempPath(), "vg-sft-" + Guid.NewGuid().ToString("N"));
    public string ModelDir => Path.Combine(Dir, "model");
    public string DataDir => Path.Combine(Dir, "data");
    public string OutputDir => Path.Combine(Dir, "out");

    /// <summary>Recipe overrides of a short full fine-tuning run on this model and data.</summary>
    public List<string> Overrides(params string[] extra) =>
    [
        $"model_name_or_path={ModelDir}", $"dataset_name={DataDir}", $"output_dir={OutputDir}",
        "completion_column=teacher_completion", "system_prompt=r1", "use_peft=false", "bf16=false",
        "gradient_checkpointing=false", "learning_rate=5.0e-3", "lr_scheduler_type=constant", "per_device_train_batch_size=4",
        "max_steps=6", "logging_steps=2", "save_strategy=no", "torch_threads=1",
        // The recipe loader also checks GRPO rules (generation batch divisible by num_generations).
        "num_generations=2", .. extra,
    ];

    public void Dispose()
    {
        if (Directory.Exists(Dir)) Directory.Delete(Dir, recursive: true);
    }
}
