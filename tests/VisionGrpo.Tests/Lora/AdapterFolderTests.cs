using System.Text.Json;
using System.Text.Json.Nodes;
using VisionGrpo.Lora;
using VisionGrpo.Tensors;
using VisionGrpo.Tests.Models;
using static TorchSharp.torch;

namespace VisionGrpo.Tests.Lora;

/// <summary>
/// The saved folder as PEFT writes it. Source for names, shapes, metadata and config fields: the files PEFT 0.17.1's
/// <c>save_pretrained</c> wrote into tests/fixtures/peft_lora/*/adapter (and the manifest's key table).
/// </summary>
public class AdapterFolderTests
{
    [Theory]
    [InlineData(LoraFixture.R8)]
    [InlineData(LoraFixture.R4)]
    public void SavedKeysShapesMetadataAndConfigAreAsPeftWrites(string variant)
    {
        using var scope = NewDisposeScope();
        var record = LoraFixture.Variant(variant);
        using var model = TinyFixture.Model();
        using var peft = PeftModel.Wrap(model, LoraFixture.Config(variant));
        string dir = LoraFixture.TempDir();
        try
        {
            peft.Save(dir, baseModelNameOrPath: "shared/fixtures/qwen2_5_vl_tiny");
            Assert.Equal(["adapter_config.json", "adapter_model.safetensors"], Directory.GetFiles(dir).Select(f => Path.GetFileName(f)!).Order().ToArray());
            using (var file = SafetensorsFile.Open(Path.Combine(dir, LoraAdapterFile.FileName)))
            {
                var expected = record["adapter_model_safetensors"]!.AsObject();
                Assert.Equal(expected.Select(e => e.Key).Order(StringComparer.Ordinal), file.Names.Order(StringComparer.Ordinal));
                foreach (var (key, info) in expected)
                {
                    Assert.Equal(info!["shape"]!.AsArray().Select(s => s!.GetValue<long>()), file.Info(key).Shape);
                    Assert.Equal("F32", info["dtype"]!.GetValue<string>());
                    Assert.Equal(ScalarType.Float32, file.Load(key).dtype);
                }
                Assert.Equal(new Dictionary<string, string> { ["format"] = "pt" }, file.Metadata);
            }
            AssertSameConfig(LoraFixture.Dir(variant, "adapter", "adapter_config.json"), Path.Combine(dir, "adapter_config.json"));
        }
        finally { Directory.Delete(dir, recursive: true); }
    }

    /// <summary>Same fields and values as PEFT's file; <c>target_modules</c> compared as a set (PEFT saves a set).</summary>
    static void AssertSameConfig(string peftFile, string ourFile)
    {
        var expected = JsonNode.Parse(File.ReadAllText(peftFile))!.AsObject();
        var actual = JsonNode.Parse(File.ReadAllText(ourFile))!.AsObject();
        Assert.Equal(expected.Select(p => p.Key), actual.Select(p => p.Key));
        foreach (var (key, value) in expected)
        {
            if (key == "target_modules")
                Assert.Equal(LoraFixture.Strings(value).ToHashSet(), LoraFixture.Strings(actual[key]).ToHashSet());
            else
                Assert.True(JsonNode.DeepEquals(value, actual[key]), $"{key}: PEFT {value?.ToJsonString()}, ours {actual[key]?.ToJsonString()}");
        }
    }

    [Fact]
    public void SaveThenLoadIsBitExact()
    {
        using var scope = NewDisposeScope();
        var c = TinyFixture.LoadCase("case_a");
        using var model = TinyFixture.Model();
        using var peft = PeftModel.Wrap(model, LoraFixture.Config(LoraFixture.R4));
        using (no_grad())
            foreach (var layer in peft.Layers) layer.B.normal_(0, 0.05);
        var logits = LoraFixture.Logits(model, c);
        string dir = LoraFixture.TempDir();
        try
        {
            peft.Save(dir);
            using var fresh = TinyFixture.Model();
            using var loaded = PeftModel.Load(fresh, dir);
            var a = peft.NamedAdapterParameters().ToList();
            var b = loaded.NamedAdapterParameters().ToList();
            Assert.Equal(a.Select(p => p.Name), b.Select(p => p.Name));
            for (int i = 0; i < a.Count; i++) Assert.True(LoraFixture.BitEqual(a[i].Parameter, b[i].Parameter), a[i].Name);
            Assert.Equal(0, TinyFixture.MaxDiff(logits, LoraFixture.Logits(fresh, c)));
            var config = LoraConfig.Load(dir);
            Assert.True(config.InferenceMode);
            Assert.True(config.UseRslora);
        }
        finally { Directory.Delete(dir, recursive: true); }
    }

    [Fact]
    public void MismatchedAdapterIsReportedWithTheKeys()
    {
        using var model = TinyFixture.Model();
        string dir = LoraFixture.TempDir();
        try
        {
            // The r8 tensors under an r4 config: every shape is wrong, and the qkv adapters are missing.
            File.Copy(LoraFixture.Dir(LoraFixture.R8, "adapter", LoraAdapterFile.FileName), Path.Combine(dir, LoraAdapterFile.FileName));
            File.Copy(LoraFixture.Dir(LoraFixture.R4, "adapter", LoraConfig.FileName), Path.Combine(dir, LoraConfig.FileName));
            var e = Assert.Throws<InvalidDataException>(() => PeftModel.Load(model, dir));
            Assert.Contains("q_proj.lora_A.weight: file [8, 64], adapter [4, 64]", e.Message);
            Assert.Contains("missing base_model.model.model.visual.blocks.0.attn.qkv.lora_A.weight", e.Message);
        }
        finally { Directory.Delete(dir, recursive: true); }
    }
}
