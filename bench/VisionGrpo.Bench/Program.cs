using VisionGrpo.Bench;
using VisionGrpo.Tensors;

// Benchmarks: `dotnet run -c Release --project bench/VisionGrpo.Bench -- <name>`; results go to docs/benchmarks.md.
TorchRuntime.EnsureInitialized();
switch (args.FirstOrDefault())
{
    case "image-processor":
        return ImageProcessorBench.Run();
    default:
        Console.Error.WriteLine("usage: VisionGrpo.Bench <benchmark>; benchmarks: image-processor");
    case "model":
        return ModelBench.Run(args[1..]);
        Console.Error.WriteLine("usage: VisionGrpo.Bench <benchmark>   (benchmarks: model)");
        return 2;
}
