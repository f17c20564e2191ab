using System.Diagnostics;
using System.Globalization;
using TorchSharp;
using VisionGrpo.Generation;
using VisionGrpo.Recipes;
using VisionGrpo.Training;
using VisionGrpo.Training.Config;
using VisionGrpo.Training.Inputs;
using VisionGrpo.Training.Loss;
using VisionGrpo.Training.Rollout;
using static TorchSharp.torch;

namespace VisionGrpo.Bench;

/// <summary>
/// The demo step's scoring forward and backward, taken apart. One real rollout round of the recipe (default
/// recipes/demo.yaml: 2 prompts × 8 completions) is generated once; then, <c>--iters</c> times, the trainer's micro-step
/// (scoring forward + GRPO loss, backward) runs on it, interleaved with the no-grad pieces of the forward (decoder body,
/// LM head on the completion positions, log-probs, entropies), so that load changes hit every row alike. Reports the
/// median wall and CPU seconds of each row, the shapes, and the bytes of the vocabulary-wide tensors.
/// Usage: <c>scoring [--recipe FILE] [--iters N] [--set key=value ...]</c>.
/// </summary>
internal static class ScoringBench
{
    public static int Run(string[] args)
    {
        string recipeFile = ModelBench.Option(args, "--recipe") ?? Path.Combine("recipes", "demo.yaml");
        int iters = int.Parse(ModelBench.Option(args, "--iters") ?? "10", CultureInfo.InvariantCulture);
        string root = Path.Combine(Path.GetTempPath(), "vg-scoring-bench-" + Environment.ProcessId);
        var overrides = new List<string> { $"output_dir={root}", "report_to=[none]" };
        for (int i = 0; i < args.Length - 1; i++) if (args[i] == "--set") overrides.Add(args[i + 1]);
        var recipe = RecipeLoader.Load(recipeFile, overrides);

        var data = RecipeDatasets.Load(recipe);
        using var policy = PolicyModel.Load(RecipeMapping.ToPolicyLoadOptions(recipe));
        var rewards = RecipeMapping.ToRewards(recipe);
        var options = RecipeMapping.ToGrpoOptions(recipe) with { RewardWeights = rewards.Select(r => (double)r.Weight).ToArray() };
        var tokenizer = policy.Text.Tokenizer;
        var generation = RecipeMapping.ToGenerationOptions(recipe)
            .Resolve(GenerationConfigFile.FromDirectory(policy.Folder), tokenizer.EosTokenId, tokenizer.PadTokenId);
        var rollouts = new RolloutGenerator(policy, policy.PromptBuilder(RecipeMapping.ToPromptOptions(recipe)), rewards, options, generation);
        int prompts = recipe.PerDeviceTrainBatchSize / recipe.NumGenerations;
        var rows = Enumerable.Range(0, prompts).Select(i => data.Train[i]).ToList();
        var genWatch = Stopwatch.StartNew();
        var groups = rollouts.Sample(rows, seed: 1);
        double genSeconds = genWatch.Elapsed.TotalSeconds;
        using var batch = RolloutAssembler.Assemble(groups, rollouts.RewardNames, options, generation.EosTokenIds[0], generation.PadTokenId, policy.Device);
        var all = Enumerable.Range(0, batch.Count).ToArray();
        var model = policy.Model;
        var parameters = policy.TrainableParameters.Select(p => p.Parameter).ToList();

        var micro0 = batch.Slice(all);
        long n = batch.Count, c = batch.CompletionLength, l = micro0.Inputs.InputIds.shape[1], v = model.Config.Text.VocabSize;
        long vocabBytes = n * c * v * 4;
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"recipe {recipeFile}: {n} rows x {l} tokens (prompt {batch.PromptIds.shape[1]}, completion {c}), vocab {v}, dtype {model.DType}, threads {get_num_threads()}; " +
            $"one [rows, C, V] fp32 tensor = {vocabBytes / 1e6:F0} MB; generation of the round {genSeconds:F2} s"));

        var rowsOut = new SortedDictionary<string, (List<double> Wall, List<double> Cpu)>(StringComparer.Ordinal);
        void Time(string name, Action action)
        {
            var proc = Process.GetCurrentProcess();
            var cpu0 = proc.TotalProcessorTime;
            var w = Stopwatch.StartNew();
            action();
            double wall = w.Elapsed.TotalSeconds;
            proc.Refresh();
            double cpu = (proc.TotalProcessorTime - cpu0).TotalSeconds;
            if (!rowsOut.TryGetValue(name, out var lists)) rowsOut[name] = lists = (new(), new());
            lists.Wall.Add(wall);
            lists.Cpu.Add(cpu);
        }

        // A: the scoring as it was (LM head on C+1 positions, TokenLogProbs on the logits), B: PolicyScorer (fused).
        (Tensor, Tensor?) Unfused(VisionGrpo.Training.Rollout.MicroBatch micro)
        {
            var output = model.forward(new VisionGrpo.Models.QwenVLInputs
            {
                InputIds = micro.Inputs.InputIds, AttentionMask = micro.Inputs.AttentionMask, ImageEmbeds = micro.Inputs.ImageEmbeds,
                PixelValues = micro.Inputs.PixelValues, ImageGridThw = micro.Inputs.ImageGridThw,
                LogitsToKeep = VisionGrpo.Models.Qwen2.LogitsToKeep.LastN((int)c + 1),
            });
            return (TokenLogProbs.PerTokenLogps(output.Logits, micro.CompletionIds, options.Temperature).to(ScalarType.Float32),
                TokenLogProbs.Entropies(output.Logits, c, options.Temperature).to(ScalarType.Float32));
        }
        var variants = new (string Name, Func<VisionGrpo.Training.Rollout.MicroBatch, (Tensor, Tensor?)> Score)[]
        {
            ("A unfused (logits [rows, C+1, V])", Unfused),
            ("B fused (PolicyScorer)", m => PolicyScorer.Score(model, m, options.Temperature, withEntropies: true)),
        };
        if (ModelBench.Option(args, "--profile") is { } profile)
        {
            // Only one piece in a loop, for perf/callgrind: "fused" (no-grad fused scores) or "unfused" (no-grad head + log-probs + entropies).
            using var noGrad = no_grad();
            var micro = batch.Slice(all);
            var hidden = model.forward(micro.Inputs).LastHiddenState;
            for (int it = 0; it < iters; it++)
            {
                using var scope = NewDisposeScope();
                var w = Stopwatch.StartNew();
                if (profile == "fused")
                    FusedTokenScores.Compute(hidden.narrow(1, l - 1 - c, c), model.OutputWeight, micro.CompletionIds, options.Temperature, true);
                else
                {
                    var logits = model.ComputeLogits(hidden, VisionGrpo.Models.Qwen2.LogitsToKeep.LastN((int)c + 1));
                    TokenLogProbs.PerTokenLogps(logits, micro.CompletionIds, options.Temperature);
                    TokenLogProbs.Entropies(logits, c, options.Temperature);
                }
                Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"{profile} {w.Elapsed.TotalSeconds:F3} s"));
            }
            return 0;
        }
        var firstLogps = new Dictionary<string, float[]>();
        for (int it = -1; it < iters; it++)
        {
            foreach (var (name, score) in variants)
            {
                // The trainer's micro-step: scoring forward + loss, then backward.
                using var scope = NewDisposeScope();
                var micro = batch.Slice(all);
                GrpoLossResult? result = null;
                Time($"{name}: scoring forward + loss", () =>
                {
                    var (logps, entropies) = score(micro);
                    if (!firstLogps.ContainsKey(name)) firstLogps[name] = logps.data<float>().ToArray();
                    result = GrpoLoss.Compute(new GrpoLossInputs
                    {
                        PerTokenLogps = logps, OldPerTokenLogps = micro.OldLogps, RefPerTokenLogps = micro.RefLogps,
                        Advantages = micro.Advantages, CompletionMask = micro.CompletionMask, Entropies = entropies,
                        NumItemsInBatch = batch.NumItemsInBatch,
                    }, options);
                    _ = result.Loss.item<float>();
                });
                Time($"{name}: backward", () => result!.Loss.backward());
                result!.Dispose();
                foreach (var p in parameters) p.grad?.zero_();
            }
            // The unfused forward's pieces, without grad.
            using (var scope = NewDisposeScope())
            using (no_grad())
            {
                var micro = batch.Slice(all);
                Tensor hidden = null!, logits = null!;
                Time("C no-grad: decoder body (incl. embeddings, rope, masks)", () =>
                    hidden = model.forward(micro.Inputs).LastHiddenState);
                Time("C no-grad: LM head on C+1 positions", () => logits = model.ComputeLogits(hidden, VisionGrpo.Models.Qwen2.LogitsToKeep.LastN((int)c + 1)));
                Time("C no-grad: per-token log-probs (TokenLogProbs)", () => TokenLogProbs.PerTokenLogps(logits, micro.CompletionIds, options.Temperature).Dispose());
                Time("C no-grad: entropies (TokenLogProbs)", () => TokenLogProbs.Entropies(logits, c, options.Temperature).Dispose());
                Time("C no-grad: fused log-probs + entropies from the hidden states", () =>
                {
                    var (lp, en) = FusedTokenScores.Compute(hidden.narrow(1, l - 1 - c, c), model.OutputWeight, micro.CompletionIds, options.Temperature, true);
                    lp.Dispose();
                    en?.Dispose();
                });
            }
            if (it == -1) rowsOut.Clear(); // warm-up
        }
        var a = firstLogps[variants[0].Name];
        var b = firstLogps[variants[1].Name];
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"max |logp A − logp B| = {a.Zip(b, (x, y) => Math.Abs(x - y)).Max():E2}"));

        Console.WriteLine("| piece | median wall s | median CPU s | min wall s |");
        Console.WriteLine("|---|---|---|---|");
        foreach (var (name, (wall, cpu)) in rowsOut)
            Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"| {name} | {Median(wall):F3} | {Median(cpu):F3} | {wall.Min():F3} |"));
        if (Directory.Exists(root)) Directory.Delete(root, recursive: true);
        return 0;
    }

    internal static double Median(List<double> values)
    {
        var s = values.OrderBy(x => x).ToList();
        return s.Count == 0 ? double.NaN : s.Count % 2 == 1 ? s[s.Count / 2] : (s[s.Count / 2 - 1] + s[s.Count / 2]) / 2;
    }
}
