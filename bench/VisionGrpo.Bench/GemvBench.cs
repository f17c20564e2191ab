using System.Diagnostics;
using System.Globalization;
using TorchSharp;
using VisionGrpo.Tensors;
using static TorchSharp.torch;

namespace VisionGrpo.Bench;

/// <summary>
/// The GEMV probe behind batch-1 decode: each weight shape of a Qwen2.5-0.5B layer (and the LM head) multiplied by
/// one token, through the ops a decode step could use: <c>F.linear</c> on <c>[1, 1, K]</c> (what nn.Linear runs),
/// <c>torch.mv(W, x)</c> and <c>matmul</c> with a 1-D input. Each is compared with its weight bytes ÷ the process's
/// read and copy bandwidth (a weight read twice shows up as &lt; 50 %). Also the fixed costs a ~700-op decode step
/// pays: a tiny elementwise op, and <c>torch.set_num_threads</c>. Variants run interleaved so load hits them alike.
/// Usage: <c>gemv [--dtypes fp32,bf16] [--iters 20] [--stream] [--costs]</c> (--stream: all projections of one 0.5B decode step, from memory, through each <see cref="OneRowProduct"/> path; --costs: only the per-call costs of the step's bookkeeping).
/// </summary>
internal static class GemvBench
{
    public static int Run(string[] args)
    {
        int iters = int.Parse(ModelBench.Option(args, "--iters") ?? "20", CultureInfo.InvariantCulture);
        var dtypes = (ModelBench.Option(args, "--dtypes") ?? "fp32,bf16").Split(',').Select(GemmBench.Parse).ToArray();
        using var noGrad = no_grad();
        if (args.Contains("--costs")) { CallCosts(); return 0; }
        var (copy, read) = Bandwidth();
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"threads {get_num_threads()}, {iters} interleaved runs (medians); copy bandwidth {copy / 1e9:F1} GB/s (read+write counted), read bandwidth {read / 1e9:F1} GB/s (sum of 1 GiB); bf16 kernel {Bf16RowProduct.Lanes} fp32 lanes"));
        using var scope = NewDisposeScope();
        var gen = new Generator(5);
        var cases = new List<(string Name, ScalarType Dtype, long Bytes, Action Run)>();
        foreach (var dtype in dtypes)
            foreach (var (n, k) in new[] { (896L, 896L), (128L, 896L), (4864L, 896L), (896L, 4864L), (151936L, 896L) })
            {
                var w = randn([n, k], generator: gen).to(dtype);
                var x = randn([1, 1, k], generator: gen).to(dtype);
                var x1 = x.view(k);
                long bytes = w.numel() * w.element_size();
                string shape = $"{n}×{k}";
                cases.Add(($"{shape} linear [1,1,K]", dtype, bytes, () => nn.functional.linear(x, w)));
                cases.Add(($"{shape} mv(W, x)", dtype, bytes, () => w.mv(x1)));
                cases.Add(($"{shape} matmul(W, x 1-D)", dtype, bytes, () => w.matmul(x1)));
                cases.Add(($"{shape} managed kernel, one core", dtype, bytes, () => OneCore(x, w)));
                // Inside a one-row step as the model runs it: no OpenMP team spinning against the split worker.
                cases.Add(($"{shape} row-split over threads", dtype, bytes, () => { using var step = RowSplitProduct.EnterOneRowStep(x); RowSplitProduct.Project(x, w); }));
            }
        var times = cases.Select(_ => new List<double>()).ToList();
        for (int it = -2; it < iters; it++)
            for (int i = 0; i < cases.Count; i++)
            {
                using var inner = NewDisposeScope();
                var sw = Stopwatch.StartNew();
                cases[i].Run();
                if (it >= 0) times[i].Add(sw.Elapsed.TotalSeconds);
            }
        Console.WriteLine("| product | dtype | median µs | weight MB | GB/s | % of copy bw | % of read bw |");
        Console.WriteLine("|---|---|---|---|---|---|---|");
        for (int i = 0; i < cases.Count; i++)
        {
            var (name, dtype, bytes, _) = cases[i];
            double t = ScoringBench.Median(times[i]);
            Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
                $"| {name} | {(dtype == ScalarType.BFloat16 ? "bf16" : "fp32")} | {t * 1e6:F1} | {bytes / 1e6:F1} | {bytes / t / 1e9:F1} | {100 * bytes / t / copy:F0}% | {100 * bytes / t / read:F0}% |"));
        }
        FixedCosts();
        if (args.Contains("--stream")) foreach (var dtype in dtypes) Stream(dtype, copy, iters);
        return 0;
    }

    /// <summary>
    /// Every projection of one 0.5B decode step in order (24 layers × q, k, v, o, gate, up, down, then the LM head;
    /// 2 GB in fp32, far beyond the caches) through each one-row path: the projections' share of a decode step.
    /// </summary>
    static void Stream(ScalarType dtype, double copy, int iters)
    {
        using var scope = NewDisposeScope();
        var gen = new Generator(9);
        var shapes = Enumerable.Range(0, 24).SelectMany(_ => new[] { (896L, 896L), (128L, 896L), (128L, 896L), (896L, 896L), (4864L, 896L), (4864L, 896L), (896L, 4864L) })
            .Append((151936L, 896L)).ToArray();
        var weights = shapes.Select(s => (rand([s.Item1, s.Item2], generator: gen) - 0.5).to(dtype)).ToArray();
        var inputs = new[] { 896L, 4864L }.ToDictionary(k => k, k => randn([1, 1, k], generator: gen).to(dtype));
        double bytes = weights.Sum(w => (double)w.numel() * w.element_size());
        foreach (var mode in Enum.GetValues<OneRowProduct>())
        {
            RowSplitProduct.Mode = mode;
            var times = new List<double>();
            var byShape = new Dictionary<string, double>();
            for (int it = -1; it < Math.Max(3, iters / 4); it++)
            {
                var sw = Stopwatch.StartNew();
                foreach (var w in weights)
                {
                    using var inner = NewDisposeScope();
                    long start = Stopwatch.GetTimestamp();
                    using (RowSplitProduct.EnterOneRowStep(inputs[w.shape[1]])) RowSplitProduct.Project(inputs[w.shape[1]], w);
                    string key = $"{w.shape[0]}×{w.shape[1]}";
                    if (it >= 0) byShape[key] = byShape.GetValueOrDefault(key) + Stopwatch.GetElapsedTime(start).TotalSeconds;
                }
                if (it >= 0) times.Add(sw.Elapsed.TotalSeconds);
            }
            double t = ScoringBench.Median(times);
            int passes = times.Count;
            Console.WriteLine("  per pass, by shape: " + string.Join(", ", byShape.Select(kv => string.Create(CultureInfo.InvariantCulture, $"{kv.Key} {kv.Value / passes * 1e3:F1} ms"))));
            Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
                $"decode-step projections, {(dtype == ScalarType.BFloat16 ? "bf16" : "fp32")}, {mode}: {t * 1e3:F1} ms for {bytes / 1e9:F2} GB = {bytes / t / 1e9:F1} GB/s ({100 * bytes / t / copy:F0}% of copy bw)"));
        }
        RowSplitProduct.Mode = OneRowProduct.RowSplit;
        // One gate-sized shape from memory: one core, the row split, plain Parallel.Invoke of the halves, and a sum().
        var gates = weights.Where(w => w.shape[0] == 4864).ToArray();
        var x = inputs[896L];
        var x1 = x.view(896);
        long half = 2432;
        var columns = new List<(string Name, Action<Tensor> Run)>
        {
            ("matmul 1-D", w => w.matmul(x1)),
            ("row-split", w => RowSplitProduct.Project(x, w)),
            ("Parallel.Invoke halves", w => Parallel.Invoke(
                () => { using var s = NewDisposeScope(); using var g = no_grad(); w.narrow(0, 0, half).matmul(x1); },
                () => { using var s = NewDisposeScope(); using var g = no_grad(); w.narrow(0, half, half).matmul(x1); })),
            ("sum()", w => w.sum()),
        };
        foreach (var (name, run) in columns)
        {
            var sw = Stopwatch.StartNew();
            for (int rep = 0; rep < 3; rep++)
                foreach (var w in gates) { using var inner = NewDisposeScope(); run(w); }
            double t = sw.Elapsed.TotalSeconds / (3 * gates.Length);
            double mb = gates[0].numel() * gates[0].element_size();
            Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"  4864×896 from memory, {name}: {t * 1e6:F0} µs = {mb / t / 1e9:F1} GB/s"));
        }
    }

    /// <summary>The one-row product's managed kernel (<see cref="Fp32RowProduct"/> or <see cref="Bf16RowProduct"/>) on the calling thread alone.</summary>
    static void OneCore(Tensor x, Tensor w)
    {
        RowSplitProduct.Mode = OneRowProduct.Gemv;
        try { RowSplitProduct.Project(x, w); }
        finally { RowSplitProduct.Mode = OneRowProduct.RowSplit; }
    }

    /// <summary>Copy bandwidth as the model bench counts it (2 × bytes of a 512 MiB copy) and read bandwidth (a 1 GiB sum).</summary>
    internal static (double Copy, double Read) Bandwidth()
    {
        using var scope = NewDisposeScope();
        var a = ones(128L << 20);
        var b = empty_like(a);
        var big = ones(256L << 20);
        b.copy_(a);
        big.sum();
        double bestCopy = double.MaxValue, bestRead = double.MaxValue;
        for (int i = 0; i < 5; i++)
        {
            var sw = Stopwatch.StartNew();
            b.copy_(a);
            bestCopy = Math.Min(bestCopy, sw.Elapsed.TotalSeconds);
            sw.Restart();
            big.sum().Dispose();
            bestRead = Math.Min(bestRead, sw.Elapsed.TotalSeconds);
        }
        return (2.0 * a.numel() * 4 / bestCopy, big.numel() * 4.0 / bestRead);
    }

    /// <summary>
    /// What a decode step's bookkeeping costs per call: TorchSharp accessors (<c>shape</c> marshals the sizes through a
    /// callback, ≈ 2 µs, where <c>size(d)</c> is one P/Invoke, ≈ 20 ns), scopes, a small allocation, and a whole
    /// one-row product of a cached 128 × 896 weight through <see cref="RowSplitProduct"/> (split floor lowered).
    /// </summary>
    static void CallCosts()
    {
        RowSplitProduct.MinSplitBytes = 1;
        using var scope = NewDisposeScope();
        var x = ones(1, 1, 896);
        var w = ones(128, 896);
        var linear = nn.Linear(896, 128);
        using var step = RowSplitProduct.EnterOneRowStep(x);
        const int n = 100000;
        void Time(string name, Action call)
        {
            call();
            var sw = Stopwatch.StartNew();
            for (int i = 0; i < n; i++) call();
            Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"  {name}: {sw.Elapsed.TotalSeconds / n * 1e9:F0} ns"));
        }
        Time("x.shape", () => _ = x.shape);
        Time("x.size(-1)", () => _ = x.size(-1));
        Time("x.dim()", () => _ = x.dim());
        Time("x.numel()", () => _ = x.numel());
        Time("x.dtype", () => _ = x.dtype);
        Time("x.device", () => _ = x.device);
        Time("x.is_contiguous()", () => _ = x.is_contiguous());
        Time("x.bytes", () => _ = x.bytes.Length);
        Time("dispose scope", () => { using var s = NewDisposeScope(); });
        Time("empty [1, 1, 128] in a scope", () => { using var s = NewDisposeScope(); _ = empty([1, 1, 128]); });
        Time("x.view(896) in a scope", () => { using var s = NewDisposeScope(); _ = x.view(896); });
        Time("RowSplitProduct.Project, 128 × 896", () => { using var s = NewDisposeScope(); RowSplitProduct.Project(x, w); });
        Time("RowSplitProduct.Call, nn.Linear 896 → 128", () => { using var s = NewDisposeScope(); RowSplitProduct.Call(linear, x); });
    }

    /// <summary>Per-call cost of a tiny op (TorchSharp + dispatcher + allocation) and of switching the thread count.</summary>
    static void FixedCosts()
    {
        using var scope = NewDisposeScope();
        var a = ones(896);
        var b = ones(896);
        const int n = 20000;
        for (int rep = 0; rep < 2; rep++)
        {
            var sw = Stopwatch.StartNew();
            for (int i = 0; i < n; i++)
            {
                using var s = NewDisposeScope();
                _ = a + b;
            }
            double add = sw.Elapsed.TotalSeconds / n;
            sw.Restart();
            for (int i = 0; i < n; i++) a.add_(b, alpha: 0);
            double addInPlace = sw.Elapsed.TotalSeconds / n;
            int threads = get_num_threads();
            sw.Restart();
            for (int i = 0; i < 1000; i++) { set_num_threads(1); set_num_threads(threads); }
            double switchPair = sw.Elapsed.TotalSeconds / 1000;
            sw.Restart();
            for (int i = 0; i < n; i++) RowSplitProduct.Handoff();
            double handoff = sw.Elapsed.TotalSeconds / n;
            var w = ones(128, 896);
            var x = ones(1, 1, 896);
            sw.Restart();
            for (int i = 0; i < n; i++) { using var s = NewDisposeScope(); RowSplitProduct.Project(x, w); }
            double split = sw.Elapsed.TotalSeconds / n;
            sw.Restart();
            for (int i = 0; i < n; i++) { using var s = NewDisposeScope(); w.matmul(x.view(896)); }
            double mv = sw.Elapsed.TotalSeconds / n;
            if (rep == 1)
                Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
                    $"896-element add: {add * 1e6:F2} µs (new tensor, in a dispose scope), add_ in place {addInPlace * 1e6:F2} µs; set_num_threads(1) + back: {switchPair * 1e6:F1} µs; empty hand-off to the split workers and back {handoff * 1e6:F1} µs; 128×896 (cached) row-split {split * 1e6:F1} µs vs matmul 1-D {mv * 1e6:F1} µs"));
        }
    }
}
