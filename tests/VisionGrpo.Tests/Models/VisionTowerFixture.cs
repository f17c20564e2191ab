using System.Text.Json;
using TorchSharp;
using VisionGrpo.Models.Qwen2_5_VL;
using VisionGrpo.Tensors;
using static TorchSharp.torch;

namespace VisionGrpo.Tests.Models;

/// <summary>Loads the tiny transformers-made Qwen2.5-VL fixture: vision config, <c>visual.*</c> weights, case tensors.</summary>
internal static class VisionTowerFixture
{
    public static string Dir => Path.Combine(AppContext.BaseDirectory, "fixtures", "qwen2_5_vl_tiny");

    public static string PathOf(string file) => Path.Combine(Dir, file);

    public static Qwen2_5_VLVisionConfig Config()
    {
        using var doc = JsonDocument.Parse(File.ReadAllText(PathOf("config.json")));
        return Qwen2_5_VLVisionConfig.FromJson(doc.RootElement.GetProperty("vision_config"));
    }

    /// <summary>Names of the vision weights in the checkpoint, without the <c>visual.</c> prefix.</summary>
    public static SortedSet<string> CheckpointVisionNames()
    {
        using var file = SafetensorsFile.Open(PathOf("model.safetensors"));
        return new SortedSet<string>(file.Names.Where(n => n.StartsWith("visual.", StringComparison.Ordinal)).Select(n => n["visual.".Length..]), StringComparer.Ordinal);
    }

    /// <summary>A float32 tower with the fixture weights (original hub layout, <c>visual.</c> stripped).</summary>
    public static Qwen2_5_VisionTransformer LoadTower()
    {
        TorchRuntime.EnsureInitialized();
        var tower = new Qwen2_5_VisionTransformer(Config());
        using var file = SafetensorsFile.Open(PathOf("model.safetensors"));
        using var noGrad = no_grad();
        foreach (var (name, parameter) in tower.named_parameters())
            file.CopyInto("visual." + name, parameter);
        tower.eval();
        return tower;
    }

    /// <summary>Loads the named tensors of a case file (float32 / int64 as stored).</summary>
    public static Dictionary<string, Tensor> LoadCase(string caseName, params string[] names)
    {
        using var file = SafetensorsFile.Open(PathOf(caseName + ".safetensors"));
        return names.ToDictionary(n => n, n => file.Load(n));
    }
}
