using System.Diagnostics;
using System.Globalization;
using System.Text.Json.Nodes;
using System.Text.RegularExpressions;

namespace VisionGrpo.Bench;

/// <summary>
/// The demo recipe's step time on one machine, the same global batch (16 completions per step) split two ways:
/// one process with 2 torch threads, and <c>mpirun -np 2</c> with 1 thread per rank (docs/distributed.md). Reports
/// the mean <c>step_time</c> (steps after the first, which includes warm-up), the whole run's time, and the time the
/// ranks spent averaging gradients and agreeing on each step (the trainer's "gradient allreduce" timing).
/// Usage: <c>distributed [--cli PATH] [--steps N] [--ranks N]</c>; build the CLI first:
/// <c>dotnet build -c Release src/VisionGrpo.Cli</c>.
/// </summary>
internal static partial class DistributedBench
{
    public static int Run(string[] args)
    {
        string cli = ModelBench.Option(args, "--cli") ?? Path.Combine("src", "VisionGrpo.Cli", "bin", "Release", "net10.0", "VisionGrpo.Cli");
        int steps = int.Parse(ModelBench.Option(args, "--steps") ?? "20", CultureInfo.InvariantCulture);
        int ranks = int.Parse(ModelBench.Option(args, "--ranks") ?? "2", CultureInfo.InvariantCulture);
        if (!File.Exists(cli)) throw new FileNotFoundException($"{cli} not found: run `dotnet build -c Release src/VisionGrpo.Cli` first, or pass --cli.");
        cli = Path.GetFullPath(cli);
        string root = Directory.CreateTempSubdirectory("vg-distributed-bench-").FullName;
        const int globalBatch = 16; // the demo's per_device_train_batch_size on one process: 2 prompts x 8 completions
        Console.WriteLine($"demo recipe, {steps} steps, {globalBatch} completions per step, load average {File.ReadAllText("/proc/loadavg").Split(' ')[0]} at start");
        Console.WriteLine("| layout | per-device batch | mean step_time (steps 2..N) | train_runtime | gradient allreduce per step |");
        Console.WriteLine("|---|---|---|---|---|");
        Report($"1 rank x {ranks} threads", globalBatch, Train(cli, root, "one", ranks: 1, threads: ranks, batch: globalBatch, steps));
        Report($"{ranks} ranks x 1 thread", globalBatch / ranks, Train(cli, root, "many", ranks, threads: 1, batch: globalBatch / ranks, steps));
        Directory.Delete(root, recursive: true);
        return 0;
    }

    static (double StepTime, double Runtime, double AllReduce, int Steps) Train(string cli, string root, string name, int ranks, int threads, int batch, int steps)
    {
        string output = Path.Combine(root, name);
        var start = ranks == 1 ? new ProcessStartInfo(cli) : new ProcessStartInfo("mpirun");
        if (ranks > 1)
            foreach (var a in new[] { "--allow-run-as-root", "--oversubscribe", "--bind-to", "none", "-np", ranks.ToString(CultureInfo.InvariantCulture), cli })
                start.ArgumentList.Add(a);
        foreach (var a in new[]
        {
            "train", "--set", $"output_dir={output}", "--set", $"max_steps={steps}", "--set", "logging_steps=1", "--set", "before_after_eval=false",
            "--set", "report_to=[]", "--set", $"per_device_train_batch_size={batch}",
        }) start.ArgumentList.Add(a);
        start.Environment["VISIONGRPO_THREADS"] = threads.ToString(CultureInfo.InvariantCulture);
        start.Environment["GLIBC_TUNABLES"] = "glibc.malloc.hugetlb=1";
        start.RedirectStandardOutput = true;
        start.RedirectStandardError = true;
        start.WorkingDirectory = Directory.GetCurrentDirectory(); // the repo root: the demo model path is relative
        using var process = Process.Start(start)!;
        var stderr = process.StandardError.ReadToEndAsync();
        string stdout = process.StandardOutput.ReadToEnd();
        process.WaitForExit();
        if (process.ExitCode != 0) throw new InvalidOperationException($"{name}: exit {process.ExitCode}\n{stdout}\n{stderr.Result}");
        var entries = File.ReadAllLines(Path.Combine(output, "metrics.jsonl")).Select(l => JsonNode.Parse(l)!.AsObject()).ToList();
        var stepTimes = entries.Where(e => e["step_time"] is not null).Select(e => (double)e["step_time"]!).Skip(1).ToArray();
        double runtime = (double)entries[^1]["train_runtime"]!;
        var allReduce = AllReduceSeconds().Match(stdout);
        double communication = allReduce.Success ? double.Parse(allReduce.Groups[1].Value, CultureInfo.InvariantCulture) : double.NaN;
        return (stepTimes.Average(), runtime, communication / steps, steps);
    }

    static void Report(string layout, int batch, (double StepTime, double Runtime, double AllReduce, int Steps) r) =>
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"| {layout} | {batch} | {r.StepTime:F3} s | {r.Runtime:F1} s | {r.AllReduce * 1000:F1} ms |"));

    [GeneratedRegex(@"gradient allreduce ([0-9.]+) s")]
    private static partial Regex AllReduceSeconds();
}
