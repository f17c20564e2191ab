using System.Diagnostics;
using TorchSharp;
using VisionGrpo.Models.Qwen2_5_VL;
using VisionGrpo.Tensors;
using static TorchSharp.torch;

namespace VisionGrpo.Bench;

/// <summary>
/// <c>vision-tower [--config tiny|3b] [--dtype fp32|bf16] [--size PIXELS] [--images N] [--iters N] [--warmup N] [--threads N]
/// [--device cpu|cuda]</c>: images/s of the Qwen2.5-VL vision tower with random weights on square images.
/// </summary>
internal static class VisionTowerBench
{
    /// <summary>The tiny fixture's vision config (depth 4, hidden 64, merger 256 → 64).</summary>
    static readonly Qwen2_5_VLVisionConfig Tiny = new()
    {
        Depth = 4, HiddenSize = 64, IntermediateSize = 128, NumHeads = 4, OutHiddenSize = 64,
        FullAttBlockIndexes = [1, 3], TokensPerSecond = 2,
    };

    public static int Run(string[] args)
    {
        string config = "tiny", dtypeName = "fp32", deviceName = "cpu";
        int size = 448, images = 1, iters = 3, warmup = 1, threads = 0;
        for (int i = 0; i < args.Length; i++)
        {
            string Value() => i + 1 < args.Length ? args[++i] : throw new ArgumentException($"{args[i]} needs a value.");
            switch (args[i])
            {
                case "--config": config = Value(); break;
                case "--dtype": dtypeName = Value(); break;
                case "--size": size = int.Parse(Value()); break;
                case "--images": images = int.Parse(Value()); break;
                case "--iters": iters = int.Parse(Value()); break;
                case "--warmup": warmup = int.Parse(Value()); break;
                case "--threads": threads = int.Parse(Value()); break;
                case "--device": deviceName = Value(); break;
                default: throw new ArgumentException($"vision-tower: unknown option '{args[i]}'.");
            }
        }
        var cfg = config switch
        {
            "tiny" => Tiny,
            "3b" => Qwen2_5_VLVisionConfig.Qwen2_5_VL_3B,
            _ => throw new ArgumentException($"--config '{config}' is not tiny or 3b."),
        };
        var dtype = dtypeName switch
        {
            "fp32" => ScalarType.Float32,
            "bf16" => ScalarType.BFloat16,
            _ => throw new ArgumentException($"--dtype '{dtypeName}' is not fp32 or bf16."),
        };
        int factor = cfg.PatchSize * cfg.SpatialMergeSize;
        if (size % factor != 0) throw new ArgumentException($"--size {size} must be a multiple of {factor} (what smart_resize produces).");
        TorchRuntime.EnsureInitialized(threads > 0 ? threads : null);
        var device = DeviceSpec.Parse(deviceName);

        manual_seed(0);
        var tower = new Qwen2_5_VisionTransformer(cfg);
        tower.to(dtype).to(device).eval();
        long parameters = tower.parameters().Sum(p => p.numel());
        int grid = size / cfg.PatchSize;
        var gridThw = tensor(Enumerable.Range(0, images).SelectMany(_ => new long[] { 1, grid, grid }).ToArray()).reshape(images, 3);
        var pixels = randn(images * grid * grid, cfg.PatchDim).to(device);

        using var noGrad = no_grad();
        var times = new List<double>();
        for (int it = 0; it < warmup + iters; it++)
        {
            using var scope = NewDisposeScope();
            var sw = Stopwatch.StartNew();
            var output = tower.forward(pixels, gridThw);
            _ = output.to(ScalarType.Float32).sum().item<float>(); // synchronise (and keep the work from being skipped)
            if (it >= warmup) times.Add(sw.Elapsed.TotalSeconds);
        }
        double best = times.Min(), median = times.Order().ElementAt(times.Count / 2);
        double gflop = Flops(cfg, Enumerable.Repeat(new VisionGrid(1, grid, grid), images).ToArray()) / 1e9;
        Console.WriteLine($"vision-tower config={config} params={parameters:N0} dtype={dtypeName} device={deviceName} threads={get_num_threads()} " +
                          $"size={size}x{size} images={images} patches/image={grid * grid} iters={iters}");
        Console.WriteLine($"  best {best * 1000:F1} ms, median {median * 1000:F1} ms per batch; " +
                          $"{images / best:G4} images/s (best), {images / median:G4} images/s (median); " +
                          $"{gflop / best:F1} GFLOP/s ({gflop:F1} GFLOP per batch); peak RSS {PeakResidentGiB():F2} GiB");
        return 0;
    }

    /// <summary>Multiply-add FLOPs (×2) of the matmuls: patch embed, blocks (projections + attention), merger.</summary>
    static double Flops(Qwen2_5_VLVisionConfig c, VisionGrid[] grids)
    {
        double p = grids.Sum(g => (double)g.Patches), h = c.HiddenSize, m = h * c.SpatialMergeUnit;
        var layout = VisionWindowLayout.Compute(grids, c.WindowMergedTokens, c.SpatialMergeSize);
        static double Attention(int[] cu, double width) =>
            Enumerable.Range(0, cu.Length - 1).Sum(i => 4.0 * (cu[i + 1] - cu[i]) * (cu[i + 1] - cu[i]) * width);
        double total = 2 * p * c.PatchDim * h + 2 * (p / c.SpatialMergeUnit) * (m * m + m * c.OutHiddenSize);
        for (int b = 0; b < c.Depth; b++)
            total += 2 * p * (4 * h * h + 3 * h * c.IntermediateSize)
                     + Attention(c.FullAttBlockIndexes.Contains(b) ? layout.CuSeqlens : layout.CuWindowSeqlens, h);
        return total;
    }

    static double PeakResidentGiB()
    {
        const string key = "VmHWM:";
        var line = File.Exists("/proc/self/status") ? File.ReadLines("/proc/self/status").FirstOrDefault(l => l.StartsWith(key, StringComparison.Ordinal)) : null;
        return line is null ? double.NaN : long.Parse(line[key.Length..].Trim().Split(' ')[0]) / 1024.0 / 1024.0;
    }
}
