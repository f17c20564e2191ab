using VisionGrpo.Bench;
using VisionGrpo.Tensors;

// Benchmarks: `dotnet run -c Release --project bench/VisionGrpo.Bench -- <name>`; results go to docs/benchmarks.md.
TorchRuntime.EnsureInitialized();
switch (args.FirstOrDefault())
{
    case "safetensors": return SafetensorsLoadBenchmark.Run(args[1..]);
    case "image-processor": return ImageProcessorBench.Run();
}
Console.Error.WriteLine("usage: VisionGrpo.Bench <benchmark>   (benchmarks: safetensors [bf16|fp32|write] [file], image-processor)");
return 2;
