using System.Diagnostics;
using TorchSharp;
using VisionGrpo.Models;
using VisionGrpo.Models.Qwen2;
using VisionGrpo.Models.Qwen2_5_VL;
using VisionGrpo.Tensors;
using VisionGrpo.Tensors.OneRow;
using static TorchSharp.torch;

namespace VisionGrpo.Bench;

/// <summary>
/// Text prefill and KV-cache decode throughput of the Qwen2 decoder (through the Qwen2.5-VL wrapper) at batch 1 and
/// 8, fp32 and bf16, for the tiny fixture config and a Qwen2.5-0.5B-shaped random model; peak RSS per run; decode
/// compared with the memory-bandwidth roofline (weight bytes read per step ÷ measured copy bandwidth).
/// Usage: <c>model [--tiny-config PATH] [--prompt N] [--decode N] [--skip-05b] [--skip-tiny] [--dtypes fp32,bf16] [--batches 1,8] [--one-row rowsplit,gemv,linear] [--one-row-ops on,off] [--reps 3]</c>
/// (--one-row: the batch-1 decode projection paths to compare, <see cref="RowSplitProduct.Mode"/>; --one-row-ops:
/// the managed kernels of the other ops on or off, <see cref="OneRowKernels.Enabled"/>; all combinations interleaved;
/// --reps: repetitions per combination, each with its own bandwidth measurement).
/// </summary>
internal static class ModelBench
{
    internal const string Qwen05BConfig = """
    {"model_type": "qwen2", "hidden_size": 896, "intermediate_size": 4864, "num_hidden_layers": 24,
     "num_attention_heads": 14, "num_key_value_heads": 2, "vocab_size": 151936, "rope_theta": 1000000.0,
     "rms_norm_eps": 1e-06, "tie_word_embeddings": true, "max_position_embeddings": 32768,
     "bos_token_id": 151643, "eos_token_id": 151645}
    """;

    public static int Run(string[] args)
    {
        string tiny = Option(args, "--tiny-config") ?? Path.Combine("tests", "fixtures", "qwen2_5_vl_tiny", "config.json");
        int prompt = int.Parse(Option(args, "--prompt") ?? "128");
        int decode = int.Parse(Option(args, "--decode") ?? "16");
        var products = (Option(args, "--one-row") ?? "rowsplit").Split(',').Select(m => Enum.Parse<OneRowProduct>(m, ignoreCase: true)).ToArray();
        var ops = (Option(args, "--one-row-ops") ?? "on").Split(',').Select(o => o switch
        {
            "on" => true,
            "off" => false,
            _ => throw new ArgumentException($"--one-row-ops takes on, off or both (on,off), not '{o}'"),
        }).ToArray();
        var modes = products.SelectMany(p => ops.Select(o => new Variant(p, o))).ToArray();
        Console.WriteLine($"one-row variants (batch-1 decode; several run interleaved, one row each): {string.Join("; ", modes)}; threads {get_num_threads()}; copy bandwidth (read+write of a 512 MiB fp32 buffer) measured before every repetition");
        Console.WriteLine("| model | dtype | batch | prompt | prefill tok/s | decode tok/s | decode ms/step | copy bw GB/s | roofline ms/step | % of roofline | peak RSS GiB |");
        Console.WriteLine("|---|---|---|---|---|---|---|---|---|---|---|");
        var configs = new List<(string Name, QwenVLConfig Config)>();
        if (!args.Contains("--skip-tiny")) configs.Add(("tiny (fixture)", QwenVLConfig.Load(tiny)));
        var dtypes = (Option(args, "--dtypes") ?? "fp32,bf16").Split(',').Select(d => d == "bf16" ? ScalarType.BFloat16 : ScalarType.Float32).ToArray();
        var batches = (Option(args, "--batches") ?? "1,8").Split(',').Select(int.Parse).ToArray();
        int repetitions = int.Parse(Option(args, "--reps") ?? "3");
        if (!args.Contains("--skip-05b")) configs.Add(("Qwen2.5-0.5B-shaped", QwenVLConfig.Parse(Qwen05BConfig, "qwen2.5-0.5b")));
        foreach (var (name, config) in configs)
            foreach (var dtype in dtypes)
            {
                ResetPeak();
                using var model = new QwenVLForConditionalGeneration(config, dtype);
                ModelInitializer.Initialize(model, seed: 1);
                model.eval();
                long weightBytes = DecodeWeightBytes(config, dtype);
                foreach (int batch in batches)
                    foreach (var (mode, r) in Measure(model, batch, prompt, decode, modes, repetitions, weightBytes))
                        Console.WriteLine($"| {name}{(modes.Length > 1 ? $" ({mode})" : "")} | {ModelFolder.DTypeName(dtype)} | {batch} | {prompt} | {batch * prompt / r.Prefill:F0} | {batch / r.Step:F1} | {r.Step * 1e3:F2} | {r.Bandwidth / 1e9:F1} | {weightBytes / r.Bandwidth * 1e3:F2} | {100 * r.ShareOfRoofline:F0}% | {PeakGib():F2} |");
            }
        return 0;
    }

    /// <summary>A batch-1 decode configuration: the products' path and whether the other ops run as managed kernels.</summary>
    readonly record struct Variant(OneRowProduct Products, bool Ops)
    {
        public override string ToString() => $"{Products.ToString().ToLowerInvariant()}, ops {(Ops ? "on" : "off")}";
    }

    /// <summary>
    /// Per variant: best prefill seconds, median decode seconds per step, median copy bandwidth, and the median over
    /// repetitions of (roofline at the bandwidth measured just before the repetition ÷ that repetition's median step).
    /// This VM's memory bandwidth moves by ±20 % within minutes (docs/benchmarks.md), so each repetition is held
    /// against the bandwidth of its own moment; variants interleave per repetition.
    /// </summary>
    static Dictionary<Variant, (double Prefill, double Step, double Bandwidth, double ShareOfRoofline)> Measure(
        QwenVLForConditionalGeneration model, int batch, int prompt, int decode, Variant[] modes, int repetitions, long weightBytes)
    {
        var best = modes.ToDictionary(m => m, _ => double.MaxValue);
        var steps = modes.ToDictionary(m => m, _ => new List<double>());
        var bandwidths = modes.ToDictionary(m => m, _ => new List<double>());
        var shares = modes.ToDictionary(m => m, _ => new List<double>());
        for (int rep = 0; rep < repetitions; rep++)
            foreach (var mode in modes)
            {
                RowSplitProduct.Mode = mode.Products;
                OneRowKernels.Enabled = mode.Ops;
                double bandwidth = CopyBandwidth();
                var these = new List<double>();
                best[mode] = Math.Min(best[mode], Run(model, batch, prompt, decode, rep, these));
                steps[mode].AddRange(these);
                bandwidths[mode].Add(bandwidth);
                shares[mode].Add(weightBytes / bandwidth / ScoringBench.Median(these));
            }
        RowSplitProduct.Mode = OneRowProduct.RowSplit;
        OneRowKernels.Enabled = true;
        return modes.ToDictionary(m => m, m => (best[m], ScoringBench.Median(steps[m]), ScoringBench.Median(bandwidths[m]), ScoringBench.Median(shares[m])));
    }

    /// <summary>One prefill (returns its seconds) and <paramref name="decode"/> greedy steps (appended to <paramref name="steps"/>).</summary>
    static double Run(QwenVLForConditionalGeneration model, int batch, int prompt, int decode, int rep, List<double> steps)
    {
        using var noGrad = no_grad();
        var gen = new Generator((ulong)(7 + rep));
        using var scope = NewDisposeScope();
        // Ordinary text ids (below the special tokens) so no image positions are involved.
        var ids = randint(0, Math.Min(1000, model.Config.Text.VocabSize), [batch, prompt], dtype: ScalarType.Int64, generator: gen);
        using var cache = KvCache.For(model.Config.Text, batch, prompt + decode, model.DType);
        var sw = Stopwatch.StartNew();
        var output = model.forward(new QwenVLInputs { InputIds = ids, Cache = cache, LogitsToKeep = LogitsToKeep.LastN(1) });
        var next = output.Logits[.., -1, ..].argmax(-1);
        double prefill = sw.Elapsed.TotalSeconds;
        for (int i = 0; i < decode; i++)
        {
            using var stepScope = NewDisposeScope();
            sw.Restart();
            var o = model.forward(new QwenVLInputs { InputIds = next.unsqueeze(1), Cache = cache, LogitsToKeep = LogitsToKeep.LastN(1) });
            var token = o.Logits[.., -1, ..].argmax(-1);
            steps.Add(sw.Elapsed.TotalSeconds);
            next = token.MoveToOuterDisposeScope();
        }
        return prefill;
    }

    /// <summary>
    /// Weight bytes one decode step reads: every layer and norm plus one vocab×hidden matrix for the logits (the
    /// embedding itself when tied; an untied model reads only B embedding rows but the same-sized lm_head).
    /// </summary>
    static long DecodeWeightBytes(QwenVLConfig config, ScalarType dtype) =>
        ParameterCounts.TextCount(config.Text) * (dtype == ScalarType.BFloat16 ? 2 : 4);

    static double CopyBandwidth()
    {
        using var scope = NewDisposeScope();
        var a = ones(128L << 20);
        var b = empty_like(a);
        b.copy_(a);
        double best = double.MaxValue;
        for (int i = 0; i < 3; i++)
        {
            var sw = Stopwatch.StartNew();
            b.copy_(a);
            best = Math.Min(best, sw.Elapsed.TotalSeconds);
        }
        return 2.0 * a.numel() * 4 / best;
    }

    static void ResetPeak()
    {
        // Linux: writing 5 to clear_refs resets VmHWM, so each configuration reports its own peak.
        try { File.WriteAllText("/proc/self/clear_refs", "5"); } catch (IOException) { } catch (UnauthorizedAccessException) { }
    }

    static double PeakGib()
    {
        foreach (var line in File.ReadLines("/proc/self/status"))
            if (line.StartsWith("VmHWM:", StringComparison.Ordinal))
                return long.Parse(line.Split(' ', StringSplitOptions.RemoveEmptyEntries)[1]) / (1024.0 * 1024);
        return double.NaN;
    }

    internal static string? Option(string[] args, string name)
    {
        int i = Array.IndexOf(args, name);
        return i >= 0 && i + 1 < args.Length ? args[i + 1] : null;
    }
}
