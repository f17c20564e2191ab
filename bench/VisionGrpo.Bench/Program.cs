using VisionGrpo.Bench;
using VisionGrpo.Tensors;

// Benchmarks: `dotnet run -c Release --project bench/VisionGrpo.Bench -- <name>`; results go to docs/benchmarks.md.
switch (args.FirstOrDefault())
{
    case "tokenizer":
        return TokenizerBenchmark.Run(args[1..]);
}
TorchRuntime.EnsureInitialized();
Console.Error.WriteLine("usage: VisionGrpo.Bench <benchmark>   (benchmarks: tokenizer)");
return 2;
