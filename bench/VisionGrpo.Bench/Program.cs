using VisionGrpo.Tensors;

// Benchmarks: `dotnet run -c Release --project bench/VisionGrpo.Bench -- <name>`; results go to docs/benchmarks.md.
TorchRuntime.EnsureInitialized();
Console.Error.WriteLine("usage: VisionGrpo.Bench <benchmark>");
return 2;
