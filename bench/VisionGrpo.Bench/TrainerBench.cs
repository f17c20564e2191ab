using System.Diagnostics;
using System.Text.Json.Nodes;
using TorchSharp;
using VisionGrpo.Data.Synthetic;
using VisionGrpo.Models;
using VisionGrpo.Recipes;
using VisionGrpo.Training;
using static TorchSharp.torch;

namespace VisionGrpo.Bench;

/// <summary>
/// Seconds per GRPO step on CPU and where they go (generation incl. rewards / scoring forwards / backward /
/// optimizer), plus model FLOPs utilisation against this machine's measured fp32 matmul peak.
/// Usage: <c>trainer [--recipe FILE] [--model DIR] [--steps N] [--one-row rowsplit|gemv|linear] [--set key=value ...]</c> (default model:
/// models/visiongrpo-demo; with <c>--recipe</c>, e.g. recipes/demo.yaml, the recipe's own model, data and settings,
/// with only the step count, output and logging overridden).
/// </summary>
internal static class TrainerBench
{
    public static int Run(string[] args)
    {
        string? recipeFile = ModelBench.Option(args, "--recipe");
        string model = ModelBench.Option(args, "--model") ?? Path.Combine("models", "visiongrpo-demo");
        int steps = int.Parse(ModelBench.Option(args, "--steps") ?? "6");
        if (ModelBench.Option(args, "--one-row") is { } oneRow) VisionGrpo.Tensors.RowSplitProduct.Mode = Enum.Parse<VisionGrpo.Tensors.OneRowProduct>(oneRow, ignoreCase: true);
        string root = Path.Combine(Path.GetTempPath(), "vg-trainer-bench-" + Environment.ProcessId);
        var overrides = new List<string>
        {
            $"output_dir={Path.Combine(root, "out")}", $"max_steps={steps}", "logging_steps=1", "save_strategy=no",
            "report_to=[none]", "before_after_eval=false", "eval_strategy=no",
        };
        if (recipeFile is null)
        {
            string data = Path.Combine(root, "data");
            SynthDatasetWriter.Write(data, new VisualMathGenerator(11), rows: 64, shards: 1);
            overrides.AddRange([$"model_name_or_path={model}", $"dataset_name={data}", "per_device_train_batch_size=8", "num_generations=8",
                "max_completion_length=64", "bf16=false", "learning_rate=1e-4", "trl_compat=1.9"]);
        }
        else if (ModelBench.Option(args, "--model") is { } m) overrides.Add($"model_name_or_path={m}");
        for (int i = 0; i < args.Length - 1; i++) if (args[i] == "--set") overrides.Add(args[i + 1]);
        var recipe = RecipeLoader.Load(recipeFile, overrides);

        double peak = MatmulPeakGflops();
        using var trainer = recipe.ToGrpoTrainer();
        var watch = Stopwatch.StartNew();
        trainer.Train();
        double seconds = watch.Elapsed.TotalSeconds;
        var t = trainer.Timings;
        var logs = File.ReadAllLines(Path.Combine(recipe.OutputDir, "metrics.jsonl")).Select(l => JsonNode.Parse(l)!.AsObject())
            .Where(o => o.ContainsKey("completions/mean_length")).ToList();
        double completionTokens = logs.Sum(o => o["completions/mean_length"]!.GetValue<double>()) * recipe.PerDeviceTrainBatchSize;
        double allTokens = trainer.State.NumInputTokensSeen;
        double gflop = ModelGflop(trainer.Policy.Model.Config, allTokens, completionTokens);

        // TRL's step_time (trl_compat 1.9) per step; the first two steps carry warm-up (JIT, first allocations).
        var stepTimes = logs.Where(o => o.ContainsKey("step_time")).Select(o => o["step_time"]!.GetValue<double>()).Skip(2).ToList();
        Console.WriteLine($"model {recipe.ModelNameOrPath}, dtype {trainer.Policy.Model.DType}, threads {get_num_threads()}, MKL AVX-512 on AMD: {VisionGrpo.Tensors.TorchRuntime.MklAvx512}; " +
            $"{steps} steps of {recipe.PerDeviceTrainBatchSize} completions (G = {recipe.NumGenerations}), max {recipe.MaxCompletionLength} new tokens");
        Console.WriteLine("| s/step (mean) | median step_time, steps 3+ | generation s/step | scoring fwd s/step | backward s/step | optimizer s/step | completion tok/step | model GFLOP/step | achieved GFLOP/s | matmul peak GFLOP/s | MFU |");
        Console.WriteLine("|---|---|---|---|---|---|---|---|---|---|---|");
        Console.WriteLine(string.Create(System.Globalization.CultureInfo.InvariantCulture,
            $"| {seconds / steps:F3} | {(stepTimes.Count > 0 ? ScoringBench.Median(stepTimes).ToString("F3", System.Globalization.CultureInfo.InvariantCulture) : "n/a")} | " +
            $"{t.Generation / steps:F3} | {t.Scoring / steps:F3} | {t.Backward / steps:F3} | {t.Optimizer / steps:F3} | " +
            $"{completionTokens / steps:F0} | {gflop / steps:F1} | {gflop / seconds:F1} | {peak:F1} | {100 * gflop / seconds / peak:F1}% |"));
        Directory.Delete(root, recursive: true);
        return 0;
    }

    /// <summary>
    /// Dense FLOPs of the step's matmuls: 2·P per token for the decoder body over every prompt and completion token
    /// (generation prefill + decode), the LM head only where logits are taken, then the scoring forward (same body
    /// tokens, head on completion positions) and a backward costed at 2× that forward. Attention score FLOPs and the
    /// vision tower are left out (small at these lengths), so this understates the work slightly.
    /// </summary>
    static double ModelGflop(VisionGrpo.Models.QwenVLConfig config, double allTokens, double completionTokens)
    {
        var text = config.Text;
        double h = text.HiddenSize;
        double body = text.NumHiddenLayers * (h * text.QueryWidth * 2 + h * text.KeyValueWidth * 2 + 3 * h * text.IntermediateSize);
        double head = h * text.VocabSize;
        double generation = 2 * body * allTokens + 2 * head * completionTokens;
        double scoring = 2 * body * allTokens + 2 * head * completionTokens;
        return (generation + 3 * scoring) / 1e9;
    }

    /// <summary>Best of a few timed 1024³ fp32 matmuls on all threads (GFLOP/s).</summary>
    static double MatmulPeakGflops()
    {
        using var scope = torch.NewDisposeScope();
        var a = torch.randn(1024, 1024);
        var b = torch.randn(1024, 1024);
        torch.mm(a, b);
        double best = 0;
        for (int i = 0; i < 8; i++)
        {
            var w = Stopwatch.StartNew();
            torch.mm(a, b).Dispose();
            best = Math.Max(best, 2.0 * 1024 * 1024 * 1024 / w.Elapsed.TotalSeconds / 1e9);
        }
        return best;
    }
}
