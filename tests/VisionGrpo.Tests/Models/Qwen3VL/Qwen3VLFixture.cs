using System.Text.Json;
using VisionGrpo.Models;
using VisionGrpo.Tensors;
using static TorchSharp.torch;

namespace VisionGrpo.Tests.Models.Qwen3VL;

/// <summary>Access to the tiny Qwen3-VL golden fixture (transformers' own outputs, see its README).</summary>
internal static class Qwen3VLFixture
{
    public static string Dir => TestPaths.Fixtures("qwen3_vl_tiny");

    /// <summary>Every tensor of <c>case_x.safetensors</c> (caller owns them; use inside a dispose scope).</summary>
    public static Dictionary<string, Tensor> LoadCase(string name)
    {
        TorchRuntime.EnsureInitialized();
        using var file = SafetensorsFile.Open(Path.Combine(Dir, name + ".safetensors"));
        return file.Names.ToDictionary(n => n, n => file.Load(n));
    }

    public static JsonDocument CaseJson(string name) => JsonDocument.Parse(File.ReadAllText(Path.Combine(Dir, name + ".json")));

    public static QwenVLForConditionalGeneration Model(ScalarType dtype = ScalarType.Float32) => ModelFolder.Load(Dir, dtype);

    /// <summary>Prompt inputs of a case, images as pixel values.</summary>
    public static QwenVLInputs Inputs(Dictionary<string, Tensor> c) => new()
    {
        InputIds = c["input_ids"], AttentionMask = c["attention_mask"],
        PixelValues = c.GetValueOrDefault("pixel_values"), ImageGridThw = c.GetValueOrDefault("image_grid_thw"),
    };
}
