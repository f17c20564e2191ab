using System.Diagnostics;
using TorchSharp;
using VisionGrpo.Tensors;
using static TorchSharp.torch;

namespace VisionGrpo.Bench;

/// <summary>
/// Load throughput of <see cref="SafetensorsFile"/>: a 1 GiB bf16 file (16 tensors of 64 MiB) loaded into new bf16
/// tensors and converted to fp32, page cache warm, best of several runs; peak RSS from /proc/self/status.
/// Usage: <c>safetensors [bf16|fp32|write] [file]</c> (one mode per process so each peak RSS is its own).
/// </summary>
internal static class SafetensorsLoadBenchmark
{
    const int Tensors = 16;
    const long ElementsPerTensor = 32L << 20; // 64 MiB of bf16 each, 1 GiB in all
    const int Runs = 3;

    public static int Run(string[] args)
    {
        string mode = args.Length > 0 ? args[0] : "bf16";
        string path = args.Length > 1 ? args[1] : Path.Combine(Path.GetTempPath(), "visiongrpo-bench-1gib-bf16.safetensors");
        if (mode == "write" || !File.Exists(path)) Write(path);
        if (mode == "write") return 0;
        ScalarType? target = mode switch
        {
            "bf16" => null,
            "fp32" => ScalarType.Float32,
            _ => throw new ArgumentException($"mode '{mode}': expected bf16, fp32 or write."),
        };

        // Warm the page cache so the numbers measure the copy path, not the disk.
        using (var stream = File.OpenRead(path)) stream.CopyTo(Stream.Null, 16 << 20);
        double best = double.MaxValue;
        long bytes = 0;
        string held = "";
        for (int run = 0; run < Runs; run++)
        {
            var watch = Stopwatch.StartNew();
            using var scope = NewDisposeScope();
            using var file = SafetensorsFile.Open(path);
            var loaded = file.Names.Select(n => file.Load(n, target)).ToList(); // all held, as a model would
            watch.Stop();
            bytes = loaded.Sum(t => t.numel() * t.element_size());
            held = $"RssAnon {Status("RssAnon")} MiB + RssFile {Status("RssFile")} MiB (mapped file pages, reclaimable) while mapped";
            best = Math.Min(best, watch.Elapsed.TotalSeconds);
        }
        long fileBytes = new FileInfo(path).Length;
        Console.WriteLine($"{DateTime.UtcNow:yyyy-MM-dd HH:mm} UTC, load average {File.ReadAllText("/proc/loadavg").Split(' ')[0]}: safetensors load {mode}: file {fileBytes / (double)(1L << 30):F2} GiB -> {bytes / (double)(1L << 30):F2} GiB of tensors, " +
                          $"best of {Runs}: {best:F3} s = {fileBytes / best / 1e9:F2} GB/s read; peak RSS {Status("VmHWM")} MiB ({held}); " +
                          $"GLIBC_TUNABLES={Environment.GetEnvironmentVariable("GLIBC_TUNABLES") ?? "(unset)"}");
        return 0;
    }

    static void Write(string path)
    {
        using var scope = NewDisposeScope();
        var gen = torch.manual_seed(1);
        var tensors = Enumerable.Range(0, Tensors)
            .Select(i => KeyValuePair.Create($"layers.{i}.weight", torch.randn(ElementsPerTensor, generator: gen, dtype: ScalarType.BFloat16).reshape(8192, -1)))
            .ToList();
        var watch = Stopwatch.StartNew();
        SafetensorsWriter.Save(path, tensors, new Dictionary<string, string> { ["format"] = "pt" });
        Console.WriteLine($"safetensors write: {new FileInfo(path).Length / watch.Elapsed.TotalSeconds / 1e9:F2} GB/s ({watch.Elapsed.TotalSeconds:F2} s) -> {path}");
    }

    static long Status(string key)
    {
        string? line = File.ReadLines("/proc/self/status").FirstOrDefault(l => l.StartsWith(key + ":", StringComparison.Ordinal));
        return line is null ? -1 : long.Parse(line.Split(' ', StringSplitOptions.RemoveEmptyEntries)[1]) / 1024;
    }
}
