using System.Text.Json;
using System.Text.Json.Nodes;
using VisionGrpo.Lora;
using VisionGrpo.Models;
using VisionGrpo.Tensors;
using VisionGrpo.Tests.Models;
using static TorchSharp.torch;

namespace VisionGrpo.Tests.Lora;

/// <summary>
/// The PEFT 0.17.1 golden adapters (tests/fixtures/peft_lora, see its README and PROVENANCE.md): two variants on the
/// tiny Qwen2.5-VL, each with the adapter in both key layouts, the merged checkpoint and the expected logits.
/// </summary>
internal static class LoraFixture
{
    public const string R8 = "r8_qv";
    public const string R4 = "r4_qv_qkv_rslora";

    public static string Dir(params string[] parts) => TestPaths.Fixtures(["peft_lora", .. parts]);

    static readonly Lazy<JsonObject> ManifestJson = new(() => JsonNode.Parse(File.ReadAllText(Dir("manifest.json")))!.AsObject());

    /// <summary>The manifest's record of one variant (every value PEFT reported).</summary>
    public static JsonObject Variant(string name) => ManifestJson.Value["variants"]![name]!.AsObject();

    /// <summary>The 3B meta-device record (printed lines for the real config).</summary>
    public static JsonObject Meta3B(string name) => ManifestJson.Value["qwen2_5_vl_3b_meta"]![name]!.AsObject();

    /// <summary>The <c>LoraConfig(...)</c> the fixture was made with, built from the manifest's kwargs.</summary>
    public static LoraConfig Config(string name)
    {
        var kwargs = Variant(name)["lora_config_kwargs"]!.AsObject();
        return LoraConfig.FromJson(JsonNode.Parse(kwargs.ToJsonString())!.AsObject(), "manifest " + name);
    }

    /// <summary>One tensor of <c>expected_logits.safetensors</c>.</summary>
    public static Tensor Expected(string variant, string name)
    {
        using var file = SafetensorsFile.Open(Dir(variant, "expected_logits.safetensors"));
        return file.Load(name);
    }

    /// <summary>Full no-cache forward of <c>case_a</c> (pixels through the vision tower), logits <c>[1, L, V]</c>.</summary>
    public static Tensor Logits(QwenVLForConditionalGeneration model, Dictionary<string, Tensor> c)
    {
        using var _ = no_grad();
        return model.forward(TinyFixture.Inputs(c, fixtureImageEmbeds: false)).Logits;
    }

    /// <summary>Same shape, dtype and bytes.</summary>
    public static bool BitEqual(Tensor a, Tensor b) =>
        a.shape.SequenceEqual(b.shape) && a.dtype == b.dtype && a.contiguous().bytes.SequenceEqual(b.contiguous().bytes);

    public static string TempDir()
    {
        string dir = Path.Combine(Path.GetTempPath(), "visiongrpo-lora-" + Guid.NewGuid().ToString("N"));
        Directory.CreateDirectory(dir);
        return dir;
    }

    public static string[] Strings(JsonNode? node) => node!.AsArray().Select(n => n!.GetValue<string>()).ToArray();

    public static JsonDocument Json(string path) => JsonDocument.Parse(File.ReadAllText(path));
}
