using System.Diagnostics;
using VisionGrpo.Data.Loading;
using VisionGrpo.Data.Rng;
using VisionGrpo.Data.Synthetic;

namespace VisionGrpo.Bench;

/// <summary><c>data</c>: synthetic generation, parquet scan/random access and numpy permutation speed.</summary>
internal static class DataBench
{
    public static int Run(string[] args)
    {
        int rows = args.Length > 0 ? int.Parse(args[0], System.Globalization.CultureInfo.InvariantCulture) : 4000;
        string dir = Path.Combine(Path.GetTempPath(), "visiongrpo-databench-" + Guid.NewGuid().ToString("N"));
        try
        {
            foreach (var difficulty in new[] { SynthDifficulty.Easy, SynthDifficulty.Hard })
            {
                var sw = Stopwatch.StartNew();
                var gen = new VisualMathGenerator(42, difficulty);
                int n = gen.Generate(rows).Count();
                Report($"synth generate ({difficulty}, {n} rows)", n, sw.Elapsed);
            }

            var write = Stopwatch.StartNew();
            SynthDatasetWriter.Write(dir, new VisualMathGenerator(42), rows, shards: 4, rowGroupSize: 100);
            Report($"synth generate+write parquet ({rows} rows, 4 shards)", rows, write.Elapsed);

            var open = Stopwatch.StartNew();
            var ds = DatasetLoader.Load(dir, "train");
            Console.WriteLine($"open (footers only): {open.Elapsed.TotalMilliseconds:F1} ms");

            var scan = Stopwatch.StartNew();
            long bytes = 0;
            foreach (var row in ds.Rows()) bytes += row.GetImage("image")!.ReadBytes().Length + row.GetString("solution")!.Length;
            Report($"sequential scan ({bytes / 1024} KiB)", ds.Count, scan.Elapsed);

            foreach (long budget in new[] { 256L << 20, 1L << 20 })
            {
                var fresh = VisionGrpo.Data.Parquet.ParquetDataset.Open("bench", dir,
                    Directory.GetFiles(Path.Combine(dir, "data")).Order(StringComparer.Ordinal).ToList(), budget);
                var shuffled = fresh.Shuffle(42);
                var random = Stopwatch.StartNew();
                int sample = Math.Min(fresh.Count, 1000);
                for (int i = 0; i < sample; i++) _ = shuffled[i].GetString("problem");
                Report($"random access, fresh open (shuffled order, {budget >> 20} MiB group cache)", sample, random.Elapsed);
            }

            var perm = Stopwatch.StartNew();
            _ = new NumpyRandom(42).Permutation(1_000_000);
            Console.WriteLine($"numpy permutation(1e6): {perm.Elapsed.TotalMilliseconds:F1} ms");
            return 0;
        }
        finally
        {
            if (Directory.Exists(dir)) Directory.Delete(dir, recursive: true);
        }
    }

    static void Report(string what, int rows, TimeSpan t) =>
        Console.WriteLine($"{what}: {rows / t.TotalSeconds:F0} rows/s ({t.TotalMilliseconds:F0} ms)");
}
