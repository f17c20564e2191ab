using System.Diagnostics;
using System.Globalization;
using TorchSharp;
using static TorchSharp.torch;

namespace VisionGrpo.Bench;

/// <summary>
/// The GEMM probe: GFLOP/s of an n×n×n product through libtorch for each dtype and operand layout, the variants run
/// interleaved (round-robin) so machine load hits them alike. Layouts: <c>mm</c> = A·B with both row-major,
/// <c>linear</c> = <c>F.linear(x, W)</c> = x·Wᵀ (what every nn.Linear runs), and the K = 64 / 896 shapes of the LM head
/// (rows × hidden × 151,936). fp32 goes to MKL's sgemm, bf16 to oneDNN (AVX512-BF16/AMX where the CPU has them).
/// Usage: <c>gemm [--size 1024] [--dtypes fp32,bf16] [--iters 10] [--lm-head]</c>.
/// </summary>
internal static class GemmBench
{
    public static int Run(string[] args)
    {
        int n = int.Parse(ModelBench.Option(args, "--size") ?? "1024", CultureInfo.InvariantCulture);
        int iters = int.Parse(ModelBench.Option(args, "--iters") ?? "10", CultureInfo.InvariantCulture);
        var dtypes = (ModelBench.Option(args, "--dtypes") ?? "fp32,bf16").Split(',').Select(Parse).ToArray();
        var cases = new List<(string Name, ScalarType Dtype, double Flop, Func<Tensor> Run)>();
        using var scope = NewDisposeScope();
        var gen = new Generator(3);
        foreach (var dtype in dtypes)
        {
            var a = randn([n, n], generator: gen).to(dtype);
            var b = randn([n, n], generator: gen).to(dtype);
            double flop = 2.0 * n * n * n;
            cases.Add(($"{n}³ mm (A·B)", dtype, flop, () => a.mm(b)));
            cases.Add(($"{n}³ linear (x·Wᵀ)", dtype, flop, () => nn.functional.linear(a, b)));
            if (args.Contains("--lm-head"))
                foreach (var (rows, hidden) in new[] { (448L, 64L), (128L, 896L) })
                {
                    var x = randn([rows, hidden], generator: gen).to(dtype);
                    var w = randn([151936, hidden], generator: gen).to(dtype);
                    cases.Add(($"LM head {rows}×{hidden}×151936 linear", dtype, 2.0 * rows * hidden * 151936, () => nn.functional.linear(x, w)));
                }
        }
        var times = cases.Select(_ => new List<double>()).ToList();
        for (int it = -1; it < iters; it++)
            for (int i = 0; i < cases.Count; i++)
            {
                using var inner = NewDisposeScope();
                var w = Stopwatch.StartNew();
                cases[i].Run();
                if (it >= 0) times[i].Add(w.Elapsed.TotalSeconds);
            }
        Console.WriteLine($"threads {get_num_threads()}, {iters} interleaved runs each (after one warm-up); MKL AVX-512 on AMD: {VisionGrpo.Tensors.TorchRuntime.MklAvx512}");
        Console.WriteLine("| product | dtype | best GFLOP/s | median GFLOP/s |");
        Console.WriteLine("|---|---|---|---|");
        for (int i = 0; i < cases.Count; i++)
        {
            var (name, dtype, flop, _) = cases[i];
            Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
                $"| {name} | {(dtype == ScalarType.BFloat16 ? "bf16" : "fp32")} | {flop / times[i].Min() / 1e9:F1} | {flop / ScoringBench.Median(times[i]) / 1e9:F1} |"));
        }
        return 0;
    }

    internal static ScalarType Parse(string dtype) => dtype switch
    {
        "fp32" or "float32" => ScalarType.Float32,
        "bf16" or "bfloat16" => ScalarType.BFloat16,
        _ => throw new ArgumentException($"--dtypes: '{dtype}' is not fp32 or bf16."),
    };
}
