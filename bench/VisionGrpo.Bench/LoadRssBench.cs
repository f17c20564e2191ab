using System.Diagnostics;
using System.Globalization;
using System.Text.Json.Nodes;
using TorchSharp;
using VisionGrpo.Models;
using VisionGrpo.Models.Qwen2_5_VL;
using VisionGrpo.Tensors;
using static TorchSharp.torch;

namespace VisionGrpo.Bench;

/// <summary>
/// Peak resident memory of loading a bf16 checkpoint into a bf16 model, as a multiple of the checkpoint size (the
/// acceptance bound is 1.15). A random Qwen2.5-0.5B-shaped checkpoint is written once, then loaded in a fresh child
/// process so nothing of the parent's memory counts: the child reports VmHWM after the load minus its RSS just
/// before it (VmHWM reset through <c>/proc/self/clear_refs</c>).
/// Usage: <c>load-rss [--dir DIR] [--layers N] [--vocab N] [--load-dtype bf16|fp32] [--repeat N]</c>.
/// </summary>
internal static class LoadRssBench
{
    public static int Run(string[] args)
    {
        string dir = ModelBench.Option(args, "--dir") ?? Path.Combine(Path.GetTempPath(), "vg-load-rss");
        string loadDtype = ModelBench.Option(args, "--load-dtype") ?? "bf16";
        int repeat = int.Parse(ModelBench.Option(args, "--repeat") ?? "3", CultureInfo.InvariantCulture);
        // Edit the JSON (not the parsed record): the saved config.json is written from it.
        var json = JsonNode.Parse(ModelBench.Qwen05BConfig)!.AsObject();
        if (ModelBench.Option(args, "--layers") is { } layers) json["num_hidden_layers"] = int.Parse(layers, CultureInfo.InvariantCulture);
        if (ModelBench.Option(args, "--vocab") is { } vocab) json["vocab_size"] = int.Parse(vocab, CultureInfo.InvariantCulture);
        var config = QwenVLConfig.Parse(json.ToJsonString(), "qwen2.5-0.5b");
        if (!File.Exists(Path.Combine(dir, "model.safetensors")) && !File.Exists(Path.Combine(dir, "model.safetensors.index.json")))
        {
            var sw = Stopwatch.StartNew();
            using var model = new QwenVLForConditionalGeneration(config, ScalarType.BFloat16);
            ModelInitializer.Initialize(model, seed: 1);
            ModelFolder.Save(model, dir);
            Console.WriteLine($"wrote {dir} in {sw.Elapsed.TotalSeconds:F1} s");
        }
        long bytes = Directory.EnumerateFiles(dir, "*.safetensors").Sum(f => new FileInfo(f).Length);
        Console.WriteLine($"checkpoint {bytes / 1e6:F0} MB ({dir}); child loads it into {loadDtype}");
        Console.WriteLine("| run | load s | baseline RSS MiB | peak − baseline MiB | ÷ checkpoint |");
        Console.WriteLine("|---|---|---|---|---|");
        for (int i = 1; i <= repeat; i++)
        {
            var (seconds, baseline, peak) = RunChild(dir, loadDtype);
            Console.WriteLine($"| {i} | {seconds:F2} | {baseline / 1048576.0:F0} | {(peak - baseline) / 1048576.0:F0} | {(double)(peak - baseline) / bytes:F3} |");
        }
        return 0;
    }

    /// <summary>The child side: load, then print <c>seconds baselineBytes peakBytes</c>.</summary>
    public static int Child(string[] args)
    {
        string dir = args[0];
        var dtype = args.Length > 1 && args[1] == "fp32" ? ScalarType.Float32 : ScalarType.BFloat16;
        // Warm the runtime (libtorch, allocator, JIT of the loader) so the baseline holds the process's fixed cost.
        using (var warm = ones(1024)) warm.sum().item<float>();
        ResetPeak();
        long baseline = Status("VmRSS:");
        Console.Error.WriteLine($"before load: RssAnon {Status("RssAnon:") / 1048576} MiB, RssFile {Status("RssFile:") / 1048576} MiB");
        var sw = Stopwatch.StartNew();
        using var model = ModelFolder.Load(dir, dtype);
        double seconds = sw.Elapsed.TotalSeconds;
        long peak = Status("VmHWM:");
        Console.Error.WriteLine($"after load: RssAnon {Status("RssAnon:") / 1048576} MiB, RssFile {Status("RssFile:") / 1048576} MiB");
        Console.WriteLine(FormattableString.Invariant($"{seconds} {baseline} {peak}"));
        return 0;
    }

    static (double Seconds, long Baseline, long Peak) RunChild(string dir, string dtype)
    {
        // `dotnet VisionGrpo.Bench.dll` runs under the dotnet host; an apphost runs directly.
        string host = Environment.ProcessPath!;
        var info = new ProcessStartInfo(host) { RedirectStandardOutput = true, UseShellExecute = false };
        if (Path.GetFileNameWithoutExtension(host) == "dotnet") info.ArgumentList.Add(typeof(LoadRssBench).Assembly.Location);
        foreach (string a in new[] { "load-rss-child", dir, dtype }) info.ArgumentList.Add(a);
        using var child = Process.Start(info)!;
        string output = child.StandardOutput.ReadToEnd();
        child.WaitForExit();
        if (child.ExitCode != 0) throw new InvalidOperationException($"load-rss child exited with {child.ExitCode}: {output}");
        var parts = output.Trim().Split('\n')[^1].Split(' ');
        return (double.Parse(parts[0], CultureInfo.InvariantCulture), long.Parse(parts[1], CultureInfo.InvariantCulture),
            long.Parse(parts[2], CultureInfo.InvariantCulture));
    }

    static void ResetPeak() => File.WriteAllText("/proc/self/clear_refs", "5");

    static long Status(string field)
    {
        foreach (var line in File.ReadLines("/proc/self/status"))
            if (line.StartsWith(field, StringComparison.Ordinal))
                return long.Parse(line.Split(' ', StringSplitOptions.RemoveEmptyEntries)[1], CultureInfo.InvariantCulture) * 1024;
        throw new InvalidOperationException($"/proc/self/status has no {field}");
    }
}
