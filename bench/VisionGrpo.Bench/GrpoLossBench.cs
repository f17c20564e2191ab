using System.Diagnostics;
using TorchSharp;
using VisionGrpo.Training.Advantages;
using VisionGrpo.Training.Config;
using VisionGrpo.Training.Loss;
using static TorchSharp.torch;

namespace VisionGrpo.Bench;

/// <summary>
/// <c>grpo-loss</c>: time of <see cref="GrpoLoss.Compute"/> + backward for a micro-batch of B × T float32 log-probs
/// (off-policy, beta 0.04, every loss type of TRL 1.9), and of <see cref="GroupAdvantages.Compute"/> for 64 rows.
/// </summary>
internal static class GrpoLossBench
{
    public static int Run()
    {
        const int b = 8, t = 1024, reps = 30;
        torch.manual_seed(0);
        var logps = (torch.rand(b, t) * -3).to(ScalarType.Float32);
        var old = logps + torch.randn(b, t) * 0.05;
        var reference = logps + torch.randn(b, t) * 0.1;
        var mask = (torch.arange(t).unsqueeze(0) < torch.randint(100, t, new long[] { b, 1 })).to(ScalarType.Int32);
        var adv = torch.randn(b);
        var entropies = torch.rand(b, t) * 4;
        Console.WriteLine($"GrpoLoss.Compute + backward, B={b} T={t} float32, {torch.get_num_threads()} thread(s), median of {reps}:");
        foreach (var type in Enum.GetValues<GrpoLossType>())
        {
            var options = GrpoAlgorithmOptions.Defaults(TrlCompat.V1_9) with { LossType = type, Beta = 0.04, TopEntropyQuantile = 0.2 };
            var times = new List<double>();
            for (int i = 0; i < reps + 3; i++)
            {
                using var scope = torch.NewDisposeScope();
                var leaf = logps.detach().requires_grad_(true);
                var sw = Stopwatch.StartNew();
                using var r = GrpoLoss.Compute(new GrpoLossInputs
                {
                    PerTokenLogps = leaf, OldPerTokenLogps = old, RefPerTokenLogps = reference, Advantages = adv,
                    CompletionMask = mask, Entropies = entropies,
                }, options);
                r.Loss.backward();
                if (i >= 3) times.Add(sw.Elapsed.TotalMilliseconds);
            }
            times.Sort();
            Console.WriteLine($"  {options.LossType.Name(),-8} {times[times.Count / 2],7:F2} ms");
        }
        var rewards = Enumerable.Range(0, 64).Select(i => (IReadOnlyList<double?>)new double?[] { i % 3, i % 5 == 0 ? null : 1.0 }).ToList();
        var advOptions = GrpoAlgorithmOptions.Defaults(TrlCompat.V1_9) with { NumGenerations = 8 };
        var advTimes = new List<double>();
        for (int i = 0; i < reps + 3; i++)
        {
            var sw = Stopwatch.StartNew();
            GroupAdvantages.Compute(rewards, new[] { "accuracy", "format" }, advOptions);
            if (i >= 3) advTimes.Add(sw.Elapsed.TotalMilliseconds);
        }
        advTimes.Sort();
        Console.WriteLine($"GroupAdvantages.Compute, 64 rows × 2 functions, G=8: {advTimes[advTimes.Count / 2]:F2} ms");
        return 0;
    }
}
