using VisionGrpo.Tensors;

// Benchmarks: `dotnet run -c Release --project bench/VisionGrpo.Bench -- <name>`; results go to docs/benchmarks.md.
TorchRuntime.EnsureInitialized();
if (args is ["data", .. var dataArgs]) return VisionGrpo.Bench.DataBench.Run(dataArgs);
Console.Error.WriteLine("usage: VisionGrpo.Bench <benchmark>");
return 2;
