using VisionGrpo.Bench;
using VisionGrpo.Tensors;

// Benchmarks: `dotnet run -c Release --project bench/VisionGrpo.Bench -- <name>`; results go to docs/benchmarks.md.
TorchRuntime.EnsureInitialized();
switch (args.FirstOrDefault())
{
    case "vision-tower": return VisionTowerBench.Run(args[1..]);
}
Console.Error.WriteLine("usage: VisionGrpo.Bench <benchmark>");
return 2;
