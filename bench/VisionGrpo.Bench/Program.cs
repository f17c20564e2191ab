using VisionGrpo.Tensors;

// Benchmarks: `dotnet run -c Release --project bench/VisionGrpo.Bench -- <name>`; results go to docs/benchmarks.md.
if (args is ["rewards", ..]) return VisionGrpo.Bench.RewardsBenchmark.Run(args[1..]);
TorchRuntime.EnsureInitialized();
Console.Error.WriteLine("usage: VisionGrpo.Bench <benchmark>");
return 2;
