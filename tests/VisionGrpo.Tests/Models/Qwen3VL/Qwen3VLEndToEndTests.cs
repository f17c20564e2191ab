using System.Text.Json.Nodes;
using VisionGrpo.Cli;
using VisionGrpo.Lora;
using VisionGrpo.Models;
using VisionGrpo.Tensors;
using VisionGrpo.Tests.Cli;
using static TorchSharp.torch;
using Fx = VisionGrpo.Tests.Models.TinyFixture;

namespace VisionGrpo.Tests.Models.Qwen3VL;

/// <summary>
/// A user's path with Qwen3-VL through the CLI: <c>model init</c> writes a tiny random Qwen3-VL with the real Qwen
/// vocabulary, <c>train</c> runs a few GRPO steps with LoRA on the synthetic dataset, the adapter carries PEFT's
/// Qwen3-VL key names, <c>generate</c> uses it, and <c>lora merge</c> writes a folder in Qwen3-VL's own key layout
/// whose logits equal base + adapter.
/// </summary>
[Collection(GlobalRngCollection.Name)]
[Trait("Category", "Slow")]
public sealed class Qwen3VLEndToEndTests : IDisposable
{
    readonly string _root = Directory.CreateTempSubdirectory("vg-qwen3vl-e2e-").FullName;

    public void Dispose() => Directory.Delete(_root, recursive: true);

    static (int Code, string Out, string Err) Cli(params string[] args) => InProcessCli.Run(args);

    /// <summary>The fixture's architecture with the real vocabulary and special ids (hub layout: bos/eos in text_config).</summary>
    string TinyConfig()
    {
        var config = JsonNode.Parse(File.ReadAllText(Path.Combine(Fx.DirOf(Fx.Qwen3VL), "config.json")))!.AsObject();
        config["image_token_id"] = 151655;
        config["video_token_id"] = 151656;
        config["vision_start_token_id"] = 151652;
        config["vision_end_token_id"] = 151653;
        var text = config["text_config"]!.AsObject();
        text["vocab_size"] = 151936;
        text["bos_token_id"] = 151643;
        text["eos_token_id"] = 151645;
        string path = Path.Combine(_root, "tiny_qwen3_vl.json");
        File.WriteAllText(path, config.ToJsonString());
        return path;
    }

    /// <summary>The real Qwen tokenizer and chat template with Qwen3-VL's image processing (patch 16, mean/std 0.5).</summary>
    string TokenizerFolder()
    {
        string dir = Path.Combine(_root, "tokenizer");
        Directory.CreateDirectory(dir);
        foreach (string name in new[] { "tokenizer.json", "tokenizer_config.json", "chat_template.json" })
            File.Copy(TestPaths.Fixtures("tokenizer", name), Path.Combine(dir, name));
        File.Copy(Path.Combine(Fx.DirOf(Fx.Qwen3VL), "preprocessor_config.json"), Path.Combine(dir, "preprocessor_config.json"));
        return dir;
    }

    [Fact]
    public void InitTrainGenerateAndMergeATinyQwen3VL()
    {
        string model = Path.Combine(_root, "model"), output = Path.Combine(_root, "out"), merged = Path.Combine(_root, "merged");
        var init = Cli("model", "init", "--config", TinyConfig(), "--tokenizer", TokenizerFolder(), "--output", model, "--seed", "3");
        Assert.True(init.Code == 0, init.Err);
        using (var weights = SafetensorsFile.Open(Path.Combine(model, "model.safetensors")))
            Assert.All(weights.Names, n => Assert.Matches(@"^(model\.language_model\.|model\.visual\.|lm_head\.weight$)", n));

        var train = Cli("train", "--set", $"model_name_or_path={model}", "--set", "dataset_name=synth:visual_math?rows=10&seed=4",
            "--set", $"output_dir={output}", "--set", "test_size=2", "--set", "max_steps=2", "--set", "per_device_train_batch_size=2",
            "--set", "num_generations=2", "--set", "max_completion_length=4", "--set", "bf16=false", "--set", "save_steps=2",
            "--set", "logging_steps=1", "--set", "learning_rate=1e-2");
        Assert.True(train.Code == 0, train.Err);
        Assert.Contains("{'loss': ", train.Out);
        Assert.True(File.Exists(Path.Combine(output, "checkpoint-2", "trainer_state.json")));
        using (var adapter = SafetensorsFile.Open(Path.Combine(output, "adapter_model.safetensors")))
        {
            Assert.Contains("base_model.model.model.language_model.layers.0.self_attn.q_proj.lora_A.weight", adapter.Names);
            Assert.Contains("base_model.model.model.language_model.layers.2.self_attn.v_proj.lora_B.weight", adapter.Names);
            Assert.Equal(3 * 2 * 2, adapter.Names.Count());
        }

        string image = Path.Combine(Fx.DirOf(Fx.Qwen3VL), "images", "img_20x14.png");
        var generate = Cli("generate", "--model", model, "--adapter", output, "--image", image, "--prompt", "How many dots?",
            "--max-new-tokens", "4", "--temperature", "0");
        Assert.True(generate.Code == 0, generate.Err);

        var merge = Cli("lora", "merge", "--model", model, "--adapter", output, "--output", merged);
        Assert.True(merge.Code == 0, merge.Err);
        using var scope = NewDisposeScope();
        using var noGrad = no_grad();
        var c = Fx.LoadCase("case_b", Fx.Qwen3VL);
        var fixtureInputs = Fx.Inputs(c, fixtureImageEmbeds: false);
        // The fixture's ids are shifted below 512; this model has the real <|image_pad|> id.
        var ids = fixtureInputs.InputIds;
        var inputs = new VisionGrpo.Models.QwenVLInputs
        {
            InputIds = where(ids.eq(492), full_like(ids, 151655), ids), AttentionMask = fixtureInputs.AttentionMask,
            PixelValues = fixtureInputs.PixelValues, ImageGridThw = fixtureInputs.ImageGridThw,
        };
        using var mergedModel = ModelFolder.Load(merged);
        Assert.Equal("qwen3_vl", mergedModel.Config.ModelType);
        using var baseModel = ModelFolder.Load(model);
        using var peft = PeftModel.Load(baseModel, output);
        var expected = baseModel.forward(inputs).Logits;
        Assert.InRange(Fx.MaxDiffValid(mergedModel.forward(inputs).Logits, expected, c["attention_mask"]), 0, 1e-4);
    }
}
