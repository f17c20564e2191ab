using TorchSharp;
using VisionGrpo.Generation;
using VisionGrpo.Models;
using VisionGrpo.Models.Qwen2_5_VL;
using static TorchSharp.torch;

namespace VisionGrpo.Bench;

/// <summary>
/// Rollout-engine throughput (fp32, CPU): decode tokens/s at batch 1/8/32 for the tiny fixture config and a
/// Qwen2.5-0.5B-shaped random model, and the speed-up of sharing each prompt's prefill across G = 2 and 8 samples
/// versus writing the prompt out G times. Usage: <c>generation [--prompt N] [--decode N] [--config config.json] [--skip-05b]</c>.
/// </summary>
internal static class GenerationBench
{
    public static int Run(string[] args)
    {
        int prompt = int.Parse(ModelBench.Option(args, "--prompt") ?? "64");
        int decode = int.Parse(ModelBench.Option(args, "--decode") ?? "32");
        var configs = new List<(string Name, QwenVLConfig Config)>
        {
            ("tiny (fixture)", QwenVLConfig.Load(Path.Combine("tests", "fixtures", "qwen2_5_vl_tiny", "config.json"))),
        };
        if (ModelBench.Option(args, "--config") is { } extra) configs.Add((Path.GetFileName(Path.GetDirectoryName(Path.GetFullPath(extra)))!, QwenVLConfig.Load(extra)));
        if (!args.Contains("--skip-05b")) configs.Add(("Qwen2.5-0.5B-shaped", QwenVLConfig.Parse(ModelBench.Qwen05BConfig, "qwen2.5-0.5b")));
        Console.WriteLine($"threads {get_num_threads()}, prompt {prompt} tokens, {decode} new tokens, fp32, sampling (T=1, top-k off)");
        var decodeRows = new List<string> { "| model | batch | prefill s | decode s | decode tok/s |", "|---|---|---|---|---|" };
        var sharingRows = new List<string>
        {
            "| model | prompts × G | prefill s shared | prefill s repeated | prefill speed-up | total s shared | total s repeated |",
            "|---|---|---|---|---|---|---|",
        };
        foreach (var (name, config) in configs)
        {
            using var model = new QwenVLForConditionalGeneration(config, ScalarType.Float32);
            ModelInitializer.Initialize(model, seed: 1);
            model.eval();
            var engine = new GenerationEngine(model);
            Generate(engine, config, 1, prompt, 4, 1); // warm-up
            foreach (int batch in new[] { 1, 8, 32 })
            {
                var output = Generate(engine, config, batch, prompt, decode, 1);
                decodeRows.Add($"| {name} | {batch} | {output.PrefillSeconds:F3} | {output.DecodeSeconds:F3} | {output.DecodeTokensPerSecond:F1} |");
            }
            foreach (int g in new[] { 2, 8 })
            {
                const int prompts = 2;
                var shared = Generate(engine, config, prompts, prompt, 8, g);
                var repeated = Generate(engine, config, prompts * g, prompt, 8, 1);
                double sharedTotal = shared.PrefillSeconds + shared.DecodeSeconds, repeatedTotal = repeated.PrefillSeconds + repeated.DecodeSeconds;
                sharingRows.Add($"| {name} | {prompts} × {g} | {shared.PrefillSeconds:F3} | {repeated.PrefillSeconds:F3} | {repeated.PrefillSeconds / shared.PrefillSeconds:F2}× | {sharedTotal:F3} | {repeatedTotal:F3} |");
            }
        }
        Console.WriteLine(string.Join("\n", decodeRows));
        Console.WriteLine();
        Console.WriteLine(string.Join("\n", sharingRows));
        return 0;
    }

    /// <summary>Random text prompts (ordinary ids, fixed seed) with no stop id, so every row runs the full length.</summary>
    static GenerationOutput Generate(GenerationEngine engine, QwenVLConfig config, int batch, int prompt, int decode, int g)
    {
        using var scope = NewDisposeScope();
        var ids = randint(0, Math.Min(1000, config.Text.VocabSize), [batch, prompt], generator: new Generator(11), dtype: ScalarType.Int64);
        var options = new GenerationOptions { MaxNewTokens = decode, DoSample = true, Temperature = 1, TopK = 0, Seed = 5, EosTokenIds = [] }.Resolve(null);
        return engine.Generate(new QwenVLInputs { InputIds = ids, AttentionMask = ones_like(ids) }, options, g);
    }
}
