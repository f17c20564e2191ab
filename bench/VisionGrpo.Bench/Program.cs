using VisionGrpo.Tensors;

// Benchmarks: `dotnet run -c Release --project bench/VisionGrpo.Bench -- <name>`; results go to docs/benchmarks.md.
TorchRuntime.EnsureInitialized();
if (args.Length > 0 && args[0] == "grpo-loss") return VisionGrpo.Bench.GrpoLossBench.Run();
Console.Error.WriteLine("usage: VisionGrpo.Bench <benchmark>");
return 2;
