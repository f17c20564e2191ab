using System.Diagnostics;
using System.Text.Json.Nodes;
using VisionGrpo.Rewards;

namespace VisionGrpo.Bench;

/// <summary>
/// Rewards throughput on rewards_dev.jsonl: format + accuracy reward per row, one thread and all cores, with p50/p99
/// latency; rows where Python Math-Verify hit a timeout are also reported separately.
/// </summary>
internal static class RewardsBenchmark
{
    public static int Run(string[] args)
    {
        string path = args.Length > 0 ? args[0] : Path.Combine("tests", "fixtures", "math_verify", "rewards_dev.jsonl");
        int passes = args.Length > 1 ? int.Parse(args[1], System.Globalization.CultureInfo.InvariantCulture) : 3;
        var rows = File.ReadLines(path).Select(l => JsonNode.Parse(l)!.AsObject()).ToList();
        var format = new FormatReward();
        var accuracy = new AccuracyReward(maxDegreeOfParallelism: 1);
        double ScoreRow(JsonObject r)
        {
            var sw = Stopwatch.StartNew();
            FormatReward.ScoreOne(r["completion"]!.GetValue<string>());
            accuracy.ScoreOne(r["gold"]!.GetValue<string>(), r["completion"]!.GetValue<string>());
            return sw.Elapsed.TotalMilliseconds;
        }
        foreach (var r in rows) ScoreRow(r); // warm-up: JIT and regex construction
        Console.WriteLine($"# rewards benchmark: {rows.Count} rows, {Environment.ProcessorCount} cores, {passes} passes, {DateTime.UtcNow:yyyy-MM-dd HH:mm} UTC");
        foreach (int threads in new[] { 1, Environment.ProcessorCount }.Distinct())
        {
            var lat = new double[rows.Count];
            double best = double.MaxValue;
            for (int p = 0; p < passes; p++)
            {
                var sw = Stopwatch.StartNew();
                Parallel.For(0, rows.Count, new ParallelOptions { MaxDegreeOfParallelism = threads }, i => lat[i] = ScoreRow(rows[i]));
                best = Math.Min(best, sw.Elapsed.TotalSeconds);
            }
            var sorted = lat.Order().ToArray();
            var noTimeout = Enumerable.Range(0, rows.Count).Where(i => rows[i]["py_timeout"]?.GetValue<bool>() != true).Select(i => lat[i]).ToArray();
            Console.WriteLine($"threads={threads}: {rows.Count / best:F0} rows/s (best of {passes}: {best:F2} s); latency p50 {sorted[sorted.Length / 2]:F3} ms, p99 {sorted[(int)(sorted.Length * 0.99)]:F2} ms, max {sorted[^1]:F1} ms; " +
                              $"rows without Python timeouts: {noTimeout.Length} rows, {noTimeout.Length / (noTimeout.Sum() / 1000.0 / threads):F0} rows/s (from summed latency)");
        }
        return 0;
    }
}
