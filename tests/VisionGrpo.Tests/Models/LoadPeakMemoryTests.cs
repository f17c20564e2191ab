using System.Globalization;
using System.Runtime.InteropServices;
using TorchSharp;
using VisionGrpo.Models;
using VisionGrpo.Models.Qwen2_5_VL;
using VisionGrpo.Tensors;
using static TorchSharp.torch;

namespace VisionGrpo.Tests.Models;

/// <summary>Measurements of the process's resident memory: nothing else may allocate meanwhile.</summary>
[CollectionDefinition(Name, DisableParallelization = true)]
public sealed class ResidentMemoryCollection
{
    public const string Name = "resident memory";
}

/// <summary>
/// The acceptance bound "peak resident memory ≲ 1.15 × checkpoint size" for a bf16 checkpoint loaded into bf16,
/// on a ~240 MB Qwen2.5-0.5B-shaped checkpoint (6 layers, 32k vocabulary). The bench's <c>load-rss</c> measures
/// the full 0.5B shape in a fresh process (docs/benchmarks.md).
/// </summary>
[Collection(ResidentMemoryCollection.Name)]
public class LoadPeakMemoryTests
{
    const string Config = """
    {"model_type": "qwen2", "hidden_size": 896, "intermediate_size": 4864, "num_hidden_layers": 6,
     "num_attention_heads": 14, "num_key_value_heads": 2, "vocab_size": 32000, "rope_theta": 1000000.0,
     "rms_norm_eps": 1e-06, "tie_word_embeddings": true, "max_position_embeddings": 32768}
    """;

    [DllImport("libc")]
    static extern int malloc_trim(nuint pad);

    static long Status(string field)
    {
        foreach (var line in File.ReadLines("/proc/self/status"))
            if (line.StartsWith(field, StringComparison.Ordinal))
                return long.Parse(line.Split(' ', StringSplitOptions.RemoveEmptyEntries)[1], CultureInfo.InvariantCulture) * 1024;
        throw new InvalidOperationException($"/proc/self/status has no {field}");
    }

    [Fact]
    [Trait("Category", "Slow")]
    public void Bf16LoadPeaksBelow115TimesTheCheckpoint()
    {
        Assert.SkipUnless(OperatingSystem.IsLinux(), "VmHWM and clear_refs are Linux-only");
        TorchRuntime.EnsureInitialized();
        using var dir = new VisionGrpo.Tests.Tensors.TempDir();
        string folder = dir.File("model");
        using (var model = new QwenVLForConditionalGeneration(QwenVLConfig.Parse(Config, "test"), ScalarType.BFloat16))
        {
            ModelInitializer.Initialize(model, seed: 1);
            ModelFolder.Save(model, folder);
        }
        long bytes = Directory.EnumerateFiles(folder, "*.safetensors").Sum(f => new FileInfo(f).Length);
        // Give freed heap back to the OS so the load cannot reuse pages that are already resident (undercounting).
        GC.Collect();
        GC.WaitForPendingFinalizers();
        malloc_trim(0);
        File.WriteAllText("/proc/self/clear_refs", "5");  // VmHWM := current RSS
        long baseline = Status("VmRSS:");
        using var loaded = ModelFolder.Load(folder, ScalarType.BFloat16);
        double ratio = (double)(Status("VmHWM:") - baseline) / bytes;
        Assert.True(ratio <= 1.15, $"peak RSS growth {ratio:F3} × the {bytes / 1e6:F0} MB checkpoint");
        Assert.True(ratio >= 0.9, $"peak RSS growth {ratio:F3} × the checkpoint: the measurement missed the weights");
    }
}
