using System.Diagnostics;
using System.Globalization;
using TorchSharp;
using VisionGrpo.Models;
using VisionGrpo.Models.Qwen2;
using VisionGrpo.Training.Loss;
using static TorchSharp.torch;

namespace VisionGrpo.Bench;

/// <summary>
/// One training step's forward + backward of the Qwen2.5-0.5B-shaped decoder (random weights, every parameter
/// trainable) on B × T random tokens with next-token cross-entropy: <c>full</c> = logits for every position then
/// <c>cross_entropy</c> (what transformers' <c>labels=</c> path does; the side-by-side PyTorch number in issue 21 is
/// this), <c>fused</c> = <see cref="FusedTokenScores"/> from the hidden states. Medians of <c>--iters</c> steps after one
/// warm-up; GFLOP/s counts 6 · parameters · tokens (forward 2, backward 4; attention scores left out).
/// Usage: <c>decoder-step [--dtypes fp32,bf16] [--loss full,fused] [--tokens 128] [--batch 1] [--iters 5]</c>.
/// </summary>
internal static class DecoderStepBench
{
    public static int Run(string[] args)
    {
        int tokens = int.Parse(ModelBench.Option(args, "--tokens") ?? "128", CultureInfo.InvariantCulture);
        int batch = int.Parse(ModelBench.Option(args, "--batch") ?? "1", CultureInfo.InvariantCulture);
        int iters = int.Parse(ModelBench.Option(args, "--iters") ?? "5", CultureInfo.InvariantCulture);
        var dtypes = (ModelBench.Option(args, "--dtypes") ?? "fp32,bf16").Split(',').Select(GemmBench.Parse).ToArray();
        var losses = (ModelBench.Option(args, "--loss") ?? "full,fused").Split(',');
        var config = QwenVLConfig.Parse(ModelBench.Qwen05BConfig, "qwen2.5-0.5b");
        long parameters = ParameterCounts.TextCount(config.Text);
        Console.WriteLine($"Qwen2.5-0.5B-shaped decoder ({parameters / 1e6:F0} M parameters), {batch} x {tokens} tokens, threads {get_num_threads()}, MKL AVX-512 on AMD: {VisionGrpo.Tensors.TorchRuntime.MklAvx512}");
        Console.WriteLine("| dtype | loss | forward s | backward s | step s | GFLOP/s (6·P·T) | CPU s/step |");
        Console.WriteLine("|---|---|---|---|---|---|---|");
        foreach (var dtype in dtypes)
        {
            using var model = new QwenVLForConditionalGeneration(config, dtype);
            ModelInitializer.Initialize(model, seed: 1);
            model.train();
            foreach (var p in model.parameters()) p.requires_grad = true;
            var ids = randint(0, 1000, [batch, tokens], dtype: ScalarType.Int64, generator: new Generator(7));
            foreach (var loss in losses)
            {
                var forward = new List<double>();
                var backward = new List<double>();
                var cpu = new List<double>();
                var process = Process.GetCurrentProcess();
                for (int it = -1; it < iters; it++)
                {
                    using var scope = NewDisposeScope();
                    process.Refresh();
                    var cpu0 = process.TotalProcessorTime;
                    var w = Stopwatch.StartNew();
                    var value = Loss(model, ids, loss);
                    double f = w.Elapsed.TotalSeconds;
                    value.backward();
                    double b = w.Elapsed.TotalSeconds - f;
                    foreach (var p in model.parameters()) p.grad = null;
                    if (it < 0) continue;
                    process.Refresh();
                    cpu.Add((process.TotalProcessorTime - cpu0).TotalSeconds);
                    forward.Add(f);
                    backward.Add(b);
                }
                double step = ScoringBench.Median(forward.Zip(backward, (x, y) => x + y).ToList());
                Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
                    $"| {ModelFolder.DTypeName(dtype)} | {loss} | {ScoringBench.Median(forward):F3} | {ScoringBench.Median(backward):F3} | {step:F3} | {6.0 * parameters * batch * tokens / step / 1e9:F1} | {ScoringBench.Median(cpu):F3} |"));
            }
        }
        return 0;
    }

    static Tensor Loss(QwenVLForConditionalGeneration model, Tensor ids, string loss)
    {
        long t = ids.shape[1];
        var targets = ids.narrow(1, 1, t - 1);
        if (loss == "full")
        {
            var logits = model.forward(new QwenVLInputs { InputIds = ids }).Logits;
            var v = logits.shape[2];
            return nn.functional.cross_entropy(logits.narrow(1, 0, t - 1).reshape(-1, v).to(ScalarType.Float32), targets.reshape(-1));
        }
        if (loss != "fused") throw new ArgumentException($"--loss: '{loss}' is not full or fused.");
        var hidden = model.forward(new QwenVLInputs { InputIds = ids, LogitsToKeep = LogitsToKeep.None }).LastHiddenState;
        var (logps, _) = FusedTokenScores.Compute(hidden.narrow(1, 0, t - 1), model.OutputWeight, targets, 1.0, withEntropies: false);
        return -logps.mean();
    }
}
