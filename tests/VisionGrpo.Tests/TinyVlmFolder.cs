using System.Text.Json.Nodes;
using VisionGrpo.Lora;
using VisionGrpo.Models;
using VisionGrpo.Models.Qwen2_5_VL;
using VisionGrpo.Tensors;
using VisionGrpo.Tests.Models;

namespace VisionGrpo.Tests;

/// <summary>
/// A random model folder with a tiny fixture's shape (Qwen2.5-VL by default, or another family's fixture) but the
/// real Qwen vocabulary and special ids, so the real tokenizer, chat template and image processor feed it
/// (generation, evaluation and trainer tests).
/// </summary>
internal static class TinyVlmFolder
{
    /// <summary>Writes config, random weights (<paramref name="seed"/>), tokenizer and preprocessor files into <paramref name="dir"/>.</summary>
    /// <returns><paramref name="dir"/>.</returns>
    public static string Create(string dir, int seed = 3, bool tieWordEmbeddings = false, string fixture = TinyFixture.Qwen2_5VL)
    {
        TorchRuntime.EnsureInitialized();
        var config = JsonNode.Parse(File.ReadAllText(Path.Combine(TinyFixture.DirOf(fixture), "config.json")))!.AsObject();
        var ids = new Dictionary<string, int>
        {
            ["vocab_size"] = 151936, ["image_token_id"] = 151655, ["video_token_id"] = 151656, ["vision_start_token_id"] = 151652,
            ["vision_end_token_id"] = 151653, ["vision_token_id"] = 151654, ["bos_token_id"] = 151643, ["eos_token_id"] = 151645, ["pad_token_id"] = 151643,
        };
        foreach (var (key, value) in ids) config[key] = value;
        config["text_config"]!["vocab_size"] = 151936;
        if (tieWordEmbeddings) config["tie_word_embeddings"] = true;
        Directory.CreateDirectory(dir);
        File.WriteAllText(Path.Combine(dir, "config.json"), config.ToJsonString());
        using var model = new QwenVLForConditionalGeneration(QwenVLConfig.Load(Path.Combine(dir, "config.json")));
        ModelInitializer.Initialize(model, seed: seed);
        ModelFolder.Save(model, dir, TestPaths.Fixtures("tokenizer"));
        File.Copy(Path.Combine(TinyFixture.DirOf(fixture), "preprocessor_config.json"), Path.Combine(dir, "preprocessor_config.json"), overwrite: true);
        return dir;
    }

    /// <summary>
    /// Saves two LoRA adapters (q_proj, v_proj, r 8) for the model in <paramref name="modelDir"/>: PEFT's init, where
    /// B = 0 makes the adapter a no-op, into <paramref name="zeroDir"/>; and one with large random B that changes
    /// every output into <paramref name="strongDir"/>.
    /// </summary>
    public static void SaveAdapters(string modelDir, string zeroDir, string strongDir)
    {
        using var model = ModelFolder.Load(modelDir, TorchSharp.torch.ScalarType.Float32);
        var config = new LoraConfig { R = 8, LoraAlpha = 32, TargetModules = LoraTargetModules.FromNames(["q_proj", "v_proj"]) };
        using var peft = PeftModel.Wrap(model, config);
        peft.Save(zeroDir);
        using (TorchSharp.torch.no_grad())
            foreach (var (name, p) in peft.NamedAdapterParameters())
                if (name.Contains("lora_B")) p.normal_(0, 2.0);
        peft.Save(strongDir);
    }
}
