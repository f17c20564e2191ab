using System.Diagnostics;
using System.Globalization;
using TorchSharp;
using VisionGrpo.Data.Loading;
using VisionGrpo.Generation;
using VisionGrpo.Models;
using VisionGrpo.Recipes;
using VisionGrpo.Rewards;
using VisionGrpo.Text;
using VisionGrpo.Training.Inputs;
using VisionGrpo.Vision;

namespace VisionGrpo.Bench;

/// <summary>
/// What the demo model knows before GRPO: on rows of a synthetic dataset, prompted exactly as the GRPO trainer
/// prompts (system prompt as the recipe's, none by default like recipes/demo.yaml; image; problem), it reports the format and accuracy rewards of k sampled completions
/// (T = 1, as in training), pass@k, the greedy accuracy (the answer the model ranks first), completion length and
/// decode speed, overall and per task. Usage:
/// <c>demo-model [--model models/visiongrpo-demo] [--data DIR] [--rows 64] [--k 4] [--seed 0] [--batch 16] [--system-prompt r1|TEXT]</c>.
/// </summary>
internal static class DemoModelBench
{
    public static int Run(string[] args)
    {
        string folder = ModelBench.Option(args, "--model") ?? Path.Combine("models", "visiongrpo-demo");
        string data = ModelBench.Option(args, "--data") ?? Path.Combine("out", "demo-eval-data");
        int rows = int.Parse(ModelBench.Option(args, "--rows") ?? "64", CultureInfo.InvariantCulture);
        int k = int.Parse(ModelBench.Option(args, "--k") ?? "4", CultureInfo.InvariantCulture);
        int batchSize = int.Parse(ModelBench.Option(args, "--batch") ?? "16", CultureInfo.InvariantCulture);
        long seed = long.Parse(ModelBench.Option(args, "--seed") ?? "0", CultureInfo.InvariantCulture);
        string? system = SystemPrompts.Resolve(ModelBench.Option(args, "--system-prompt"));

        var dataset = DatasetLoader.Load(data, "train");
        rows = Math.Min(rows, dataset.Count);
        using var model = ModelFolder.Load(folder, torch.ScalarType.Float32);
        model.eval();
        var text = VlTextProcessor.FromDirectory(folder);
        var prompts = new PromptBuilder(text, new QwenImageProcessor(ImageProcessorConfig.Load(folder)), system);
        var engine = new GenerationEngine(model, text.Tokenizer);
        var (eos, pad) = (text.Tokenizer.EosTokenId, text.Tokenizer.PadTokenId);
        var sampled = new GenerationOptions { TrlMode = true, DoSample = true, Temperature = 1.0, MaxNewTokens = 64, Seed = seed }.Resolve(null, eos, pad);
        var greedy = new GenerationOptions { TrlMode = true, DoSample = false, MaxNewTokens = 64 }.Resolve(null, eos, pad);

        var tasks = new SortedDictionary<string, Tally>(StringComparer.Ordinal);
        var total = new Tally();
        double decodeSeconds = 0, prefillSeconds = 0;
        long decodeTokens = 0;
        string? example = null;
        var clock = Stopwatch.StartNew();
        for (int start = 0; start < rows; start += batchSize)
        {
            var batchRows = Enumerable.Range(start, Math.Min(batchSize, rows - start)).Select(i => dataset[i]).ToList();
            using var batch = prompts.Build(batchRows);
            var samples = engine.Generate(batch.Inputs, sampled with { Seed = seed + start }, k);
            var best = engine.Generate(batch.Inputs, greedy, 1);
            (decodeSeconds, prefillSeconds, decodeTokens) = (decodeSeconds + samples.DecodeSeconds, prefillSeconds + samples.PrefillSeconds, decodeTokens + samples.GeneratedTokens);
            for (int r = 0; r < batchRows.Count; r++)
            {
                string solution = batchRows[r].GetString("solution")!;
                var texts = samples.Sequences.Where(s => s.PromptIndex == r).ToList();
                var accuracy = texts.Select(s => (double)(RecipeAccuracyOf(solution, s.Text))).ToList();
                var row = new Tally
                {
                    Rows = 1,
                    Accuracy = accuracy.Average(),
                    Format = texts.Average(s => (double)FormatReward.ScoreOne(s.Text)),
                    PassAtK = accuracy.Max(),
                    Greedy = RecipeAccuracyOf(solution, best.Sequences[r].Text),
                    Tokens = texts.Average(s => (double)s.GeneratedTokens),
                };
                example ??= texts[0].Text;
                total.Add(row);
                string task = Task(batchRows[r].GetString("problem") ?? "");
                if (!tasks.TryGetValue(task, out var tally)) tasks[task] = tally = new Tally();
                tally.Add(row);
            }
        }
        Console.WriteLine($"model {folder}, data {data}: {rows} rows x {k} samples (T=1), threads {torch.get_num_threads()}, {clock.Elapsed.TotalSeconds:F1} s");
        Console.WriteLine("| task | rows | accuracy (sampled) | format | pass@" + k + " | greedy accuracy | tokens/completion |");
        Console.WriteLine("|---|---|---|---|---|---|---|");
        foreach (var (task, tally) in tasks) Console.WriteLine(tally.Line(task));
        Console.WriteLine(total.Line("all"));
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"sampling: {decodeTokens} tokens, decode {decodeTokens / Math.Max(1e-9, decodeSeconds):F0} tok/s (batch {batchSize}x{k}), prefill {prefillSeconds:F2} s"));
        Console.WriteLine("example: " + example?.Replace("\n", "\\n", StringComparison.Ordinal));
        return 0;
    }

    static float RecipeAccuracyOf(string solution, string completion) => new AccuracyReward().ScoreOne(solution, completion) ?? 0f;

    // The synthetic problems are fixed sentences per task; their first words name the task well enough for a table.
    static string Task(string problem) => problem switch
    {
        _ when problem.StartsWith("How many dots", StringComparison.Ordinal) => "count_dots",
        _ when problem.Contains("clock", StringComparison.Ordinal) => "clock_hour",
        _ when problem.Contains("bar chart", StringComparison.Ordinal) => "tallest_bar",
        _ when problem.Contains("sum", StringComparison.Ordinal) => "digit_sum",
        _ => "other",
    };

    sealed class Tally
    {
        public int Rows;
        public double Accuracy, Format, PassAtK, Greedy, Tokens;

        public void Add(Tally t)
        {
            Rows += t.Rows; Accuracy += t.Accuracy; Format += t.Format; PassAtK += t.PassAtK; Greedy += t.Greedy; Tokens += t.Tokens;
        }

        public string Line(string name) => string.Create(CultureInfo.InvariantCulture,
            $"| {name} | {Rows} | {Accuracy / Rows:F3} | {Format / Rows:F3} | {PassAtK / Rows:F3} | {Greedy / Rows:F3} | {Tokens / Rows:F1} |");
    }
}
