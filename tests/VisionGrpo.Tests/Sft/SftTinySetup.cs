using System.Text.Json.Nodes;
using VisionGrpo.Data.Synthetic;
using VisionGrpo.Models;
using VisionGrpo.Models.Qwen2_5_VL;
using VisionGrpo.Tensors;
using VisionGrpo.Tests.Models;

namespace VisionGrpo.Tests.Sft;

/// <summary>
/// A random VLM with the tiny fixture's shape but the real Qwen2.5-VL vocabulary, special ids, tokenizer, chat
/// template and image processor (the recipe path end to end), plus a small synthetic dataset with the noisy-teacher
/// column. (A private copy of the generate tests' set-up; a shared TinyVlmFolder helper is on its way to main.)
/// </summary>
internal sealed class SftTinySetup : IDisposable
{
    public SftTinySetup(int rows = 8)
    {
        TorchRuntime.EnsureInitialized();
        Directory.CreateDirectory(Dir);
        var config = JsonNode.Parse(File.ReadAllText(Path.Combine(TinyFixture.Dir, "config.json")))!.AsObject();
        var ids = new Dictionary<string, int>
        {
            ["vocab_size"] = 151936, ["image_token_id"] = 151655, ["video_token_id"] = 151656, ["vision_start_token_id"] = 151652,
            ["vision_end_token_id"] = 151653, ["vision_token_id"] = 151654, ["bos_token_id"] = 151643, ["eos_token_id"] = 151645, ["pad_token_id"] = 151643,
        };
        foreach (var (key, value) in ids) config[key] = value;
        config["text_config"]!["vocab_size"] = 151936;
        config["tie_word_embeddings"] = true;
        Directory.CreateDirectory(ModelDir);
        File.WriteAllText(Path.Combine(ModelDir, "config.json"), config.ToJsonString());
        using (var model = new Qwen2_5_VLForConditionalGeneration(Qwen2_5_VLConfig.Load(Path.Combine(ModelDir, "config.json"))))
        {
            ModelInitializer.Initialize(model, seed: 3);
            ModelFolder.Save(model, ModelDir, TestPaths.Fixtures("tokenizer"));
        }
        File.Copy(Path.Combine(TinyFixture.Dir, "preprocessor_config.json"), Path.Combine(ModelDir, "preprocessor_config.json"), overwrite: true);
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
