using VisionGrpo.Bench;
using VisionGrpo.Tensors;

// Benchmarks: `dotnet run -c Release --project bench/VisionGrpo.Bench -- <name>`; results go to docs/benchmarks.md.
TorchRuntime.EnsureInitialized();
switch (args.FirstOrDefault())
{
    case "safetensors": return SafetensorsLoadBenchmark.Run(args[1..]);
    case "model": return ModelBench.Run(args[1..]);
}
Console.Error.WriteLine("usage: VisionGrpo.Bench <benchmark>   (benchmarks: safetensors [bf16|fp32|write] [file]; model [--prompt N] [--decode N] [--skip-05b])");
return 2;
