using System.Text.Json.Nodes;
using VisionGrpo.Models;
using VisionGrpo.Models.Qwen2_5_VL;
using VisionGrpo.Tests.Models;

namespace VisionGrpo.Tests;

/// <summary>
/// A random model with the tiny fixture's shape but the real Qwen2.5-VL vocabulary and special ids, saved as an HF
/// folder with the real tokenizer, chat template and image processor, so end-to-end tests can feed it real prompts.
/// </summary>
internal static class TinyVlmFolder
{
    public static string Create(string dir, int seed = 3)
    {
        var config = JsonNode.Parse(File.ReadAllText(Path.Combine(TinyFixture.Dir, "config.json")))!.AsObject();
        var ids = new Dictionary<string, int>
        {
            ["vocab_size"] = 151936, ["image_token_id"] = 151655, ["video_token_id"] = 151656, ["vision_start_token_id"] = 151652,
            ["vision_end_token_id"] = 151653, ["vision_token_id"] = 151654, ["bos_token_id"] = 151643, ["eos_token_id"] = 151645, ["pad_token_id"] = 151643,
        };
        foreach (var (key, value) in ids) config[key] = value;
        config["text_config"]!["vocab_size"] = 151936;
        Directory.CreateDirectory(dir);
        File.WriteAllText(Path.Combine(dir, "config.json"), config.ToJsonString());
        using var model = new Qwen2_5_VLForConditionalGeneration(Qwen2_5_VLConfig.Load(Path.Combine(dir, "config.json")));
        ModelInitializer.Initialize(model, seed: seed);
        ModelFolder.Save(model, dir, Path.Combine(AppContext.BaseDirectory, "fixtures", "tokenizer"));
        File.Copy(Path.Combine(TinyFixture.Dir, "preprocessor_config.json"), Path.Combine(dir, "preprocessor_config.json"), overwrite: true);
        return dir;
    }
}
