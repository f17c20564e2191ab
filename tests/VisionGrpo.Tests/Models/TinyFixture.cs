using System.Text.Json;
using TorchSharp;
using VisionGrpo.Models;
using VisionGrpo.Models.Qwen2_5_VL;
using VisionGrpo.Tensors;
using static TorchSharp.torch;

namespace VisionGrpo.Tests.Models;

/// <summary>
/// Access to the tiny golden fixtures (transformers' own outputs, see their READMEs): Qwen2.5-VL by default, or
/// another family's fixture with the same case layout (<see cref="Qwen2VL"/>).
/// </summary>
internal static class TinyFixture
{
    /// <summary>The Qwen2.5-VL fixture (the default of every helper here).</summary>
    public const string Qwen2_5VL = "qwen2_5_vl_tiny";
    /// <summary>The Qwen2-VL fixture.</summary>
    public const string Qwen2VL = "qwen2_vl_tiny";
    /// <summary>The Qwen3-VL fixture (one key layout, DeepStack features in the cases).</summary>
    public const string Qwen3VL = "qwen3_vl_tiny";

    public static string Dir => DirOf(Qwen2_5VL);
    public static string DirOf(string fixture) => Path.Combine(AppContext.BaseDirectory, "fixtures", fixture);
    public static string Config2VL2B => Path.Combine(AppContext.BaseDirectory, "fixtures", "qwen2_vl_2b_config", "config.json");
    public static string Config3B => Path.Combine(AppContext.BaseDirectory, "fixtures", "qwen2_5_vl_3b_config", "config.json");

    /// <summary>Every tensor of <c>case_x.safetensors</c> (caller owns them; use inside a dispose scope).</summary>
    public static Dictionary<string, Tensor> LoadCase(string name, string fixture = Qwen2_5VL)
    {
        TorchRuntime.EnsureInitialized();
        using var file = SafetensorsFile.Open(Path.Combine(DirOf(fixture), name + ".safetensors"));
        return file.Names.ToDictionary(n => n, n => file.Load(n));
    }

    public static JsonDocument CaseJson(string name, string fixture = Qwen2_5VL) =>
        JsonDocument.Parse(File.ReadAllText(Path.Combine(DirOf(fixture), name + ".json")));

    public static QwenVLForConditionalGeneration Model(ScalarType dtype = ScalarType.Float32, string fixture = Qwen2_5VL)
    {
        TorchRuntime.EnsureInitialized();
        return ModelFolder.Load(DirOf(fixture), dtype);
    }

    /// <summary>Prompt inputs of a case; with <paramref name="fixtureImageEmbeds"/> the vision tower is bypassed.</summary>
    public static QwenVLInputs Inputs(Dictionary<string, Tensor> c, bool fixtureImageEmbeds, bool pixels = true) => new()
    {
        InputIds = c["input_ids"],
        AttentionMask = c["attention_mask"],
        PixelValues = pixels && !fixtureImageEmbeds && c.TryGetValue("pixel_values", out var p) ? p : null,
        ImageGridThw = c.GetValueOrDefault("image_grid_thw"),
        ImageEmbeds = fixtureImageEmbeds ? c.GetValueOrDefault("image_embeds") : null,
    };

    /// <summary>Max |a − b| over positions whose mask is 1 (<c>[B, L, …]</c> tensors, <c>[B, L]</c> mask).</summary>
    public static double MaxDiffValid(Tensor a, Tensor b, Tensor mask)
    {
        using var scope = torch.NewDisposeScope();
        var diff = (a.to(ScalarType.Float64) - b.to(ScalarType.Float64)).abs();
        var m = mask.to(ScalarType.Float64);
        while (m.dim() < diff.dim()) m = m.unsqueeze(-1);
        return (diff * m).max().item<double>();
    }

    public static double MaxDiff(Tensor a, Tensor b)
    {
        using var scope = torch.NewDisposeScope();
        return (a.to(ScalarType.Float64) - b.to(ScalarType.Float64)).abs().max().item<double>();
    }

    public static long[] Longs(Tensor t) => t.to(ScalarType.Int64).cpu().data<long>().ToArray();
}
