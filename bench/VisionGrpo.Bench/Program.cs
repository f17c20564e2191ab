using VisionGrpo.Bench;
using VisionGrpo.Tensors;

// Benchmarks: `dotnet run -c Release --project bench/VisionGrpo.Bench -- <name> [args]`; results go to docs/benchmarks.md.
var benchmarks = new SortedDictionary<string, Func<string[], int>>
{
    ["data"] = DataBench.Run,
    ["decoder-step"] = DecoderStepBench.Run,
    ["demo-model"] = DemoModelBench.Run,
    ["distributed"] = DistributedBench.Run,
    ["grpo-loss"] = _ => GrpoLossBench.Run(),
    ["gemm"] = GemmBench.Run,
    ["gemv"] = GemvBench.Run,
    ["generation"] = GenerationBench.Run,
    ["image-processor"] = _ => ImageProcessorBench.Run(),
    ["load-rss"] = LoadRssBench.Run,
    ["load-rss-child"] = LoadRssBench.Child,
    ["model"] = ModelBench.Run,
    ["rewards"] = RewardsBenchmark.Run,
    ["safetensors"] = SafetensorsLoadBenchmark.Run,
    ["scoring"] = ScoringBench.Run,
    ["tokenizer"] = TokenizerBenchmark.Run,
    ["trainer"] = TrainerBench.Run,
    ["vision-tower"] = VisionTowerBench.Run,
};
TorchRuntime.EnsureInitialized();
if (args.Length == 0 || !benchmarks.TryGetValue(args[0], out var run))
{
    Console.Error.WriteLine($"usage: VisionGrpo.Bench <benchmark> [args]; benchmarks: {string.Join(", ", benchmarks.Keys)}");
    return 2;
}
return run(args[1..]);
