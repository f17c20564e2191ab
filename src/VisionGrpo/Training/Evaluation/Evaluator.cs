using System.Diagnostics;
using TorchSharp;
using VisionGrpo.Data;
using VisionGrpo.Data.Validation;
using VisionGrpo.Generation;
using VisionGrpo.Models;
using VisionGrpo.Rewards;
using VisionGrpo.Text;
using VisionGrpo.Training.Inputs;

namespace VisionGrpo.Training.Evaluation;

/// <summary>
/// Evaluates a policy on a dataset the way GRPO's eval loop does: build the prompts, generate completions, score them
/// with every reward function, aggregate TRL's metrics (see <see cref="EvaluationResult.Metrics"/>). Used by the
/// trainer's <c>eval_strategy</c> and by <c>visiongrpo eval</c>.
/// </summary>
public sealed class Evaluator
{
    readonly QwenVLForConditionalGeneration _model;
    readonly HfTokenizer _tokenizer;
    readonly PromptBuilder _prompts;
    readonly IReadOnlyList<IRewardFunction> _rewards;

    /// <summary>Creates an evaluator.</summary>
    /// <param name="model">The policy (with any LoRA adapters already hooked in).</param>
    /// <param name="tokenizer">Decodes completions.</param>
    /// <param name="prompts">Builds model prompts from dataset rows (system prompt, columns, <c>max_prompt_length</c>).</param>
    /// <param name="rewards">Reward functions; their names must differ (they key the metrics).</param>
    /// <exception cref="ArgumentException">No reward functions, or two share a name.</exception>
    public Evaluator(QwenVLForConditionalGeneration model, HfTokenizer tokenizer, PromptBuilder prompts,
        IReadOnlyList<IRewardFunction> rewards)
    {
        ArgumentNullException.ThrowIfNull(model);
        ArgumentNullException.ThrowIfNull(tokenizer);
        ArgumentNullException.ThrowIfNull(prompts);
        ArgumentNullException.ThrowIfNull(rewards);
        if (rewards.Count == 0) throw new ArgumentException("evaluation needs at least one reward function.", nameof(rewards));
        if (rewards.GroupBy(r => r.Name).FirstOrDefault(g => g.Count() > 1) is { } twice)
            throw new ArgumentException($"two reward functions are named '{twice.Key}'; metric names (rewards/<name>/mean) must be unique.", nameof(rewards));
        _model = model;
        _tokenizer = tokenizer;
        _prompts = prompts;
        _rewards = rewards;
    }

    /// <summary>
    /// <c>bad_rows: fail</c>: a row whose prompt cannot be built (an image that changed on disk since loading, a size
    /// the processor refuses) ends the evaluation. By default such a row is skipped and listed in
    /// <see cref="EvaluationResult.SkippedRows"/>, and the next row takes its place.
    /// </summary>
    public bool FailOnBadRow { get; init; }

    /// <summary>
    /// Generates <paramref name="numGenerations"/> completions per row (about <paramref name="batchSize"/> completions
    /// per generation call), scores them and aggregates. Deterministic for a fixed <c>generation.Seed</c>: sample g
    /// of row i draws from the sampling stream i·G + g (<see cref="CounterRandom"/>), so the batching — and which
    /// process evaluates which rows — does not change what is sampled. The model is in eval mode (LoRA dropout off) and under no_grad for the duration; its
    /// previous train/eval mode is restored afterwards.
    /// </summary>
    /// <param name="dataset">Rows to evaluate (prompt column, optional image column, columns the rewards need).</param>
    /// <param name="generation">Sampling settings (temperature 0 / do_sample false = greedy).</param>
    /// <param name="numGenerations">Completions per row.</param>
    /// <param name="batchSize">Completions per generation call (rows per call = batchSize / numGenerations, at least 1).</param>
    /// <param name="limit">Evaluate only the first N usable rows.</param>
    /// <param name="progress">Receives the number of rows done after each batch.</param>
    /// <param name="cancellationToken">Checked between batches and passed to the reward functions.</param>
    /// <param name="firstRow">Start at this row (a process evaluating its share of the rows).</param>
    public EvaluationResult Evaluate(Dataset dataset, ResolvedGeneration generation, int numGenerations = 1,
        int batchSize = 8, int? limit = null, IProgress<int>? progress = null, CancellationToken cancellationToken = default,
        int firstRow = 0)
    {
        ArgumentNullException.ThrowIfNull(dataset);
        ArgumentNullException.ThrowIfNull(generation);
        ArgumentOutOfRangeException.ThrowIfLessThan(numGenerations, 1);
        ArgumentOutOfRangeException.ThrowIfLessThan(batchSize, 1);
        if (limit is < 0) throw new ArgumentOutOfRangeException(nameof(limit), limit, "limit must not be negative.");
        if (firstRow < 0 || firstRow > dataset.Count) throw new ArgumentOutOfRangeException(nameof(firstRow), firstRow, $"the dataset has {dataset.Count} rows.");
        int rows = Math.Min(limit ?? dataset.Count - firstRow, dataset.Count - firstRow);
        int promptsPerCall = Math.Max(1, batchSize / numGenerations);
        var watch = Stopwatch.StartNew();
        var samples = new List<EvaluationSample>(rows * numGenerations);
        var skipped = new List<BadRow>();
        var engine = new GenerationEngine(_model, _tokenizer);
        bool wasTraining = _model.training;
        _model.eval();
        try
        {
            using var noGrad = torch.no_grad();
            for (int next = firstRow, done = 0; done < rows && next < dataset.Count;)
            {
                cancellationToken.ThrowIfCancellationRequested();
                int count = Math.Min(Math.Min(promptsPerCall, rows - done), dataset.Count - next);
                // Our own batching already bounds the batch, so the engine must not split it again.
                var settings = generation with { FirstSequenceIndex = (long)next * numGenerations, GenerationBatchSize = 0 };
                var indices = Enumerable.Range(next, count).ToList();
                next += count;
                samples.AddRange(RunUsable(engine, dataset, indices, settings, numGenerations, skipped, cancellationToken));
                done += indices.Count;
                progress?.Report(done);
            }
        }
        finally
        {
            if (wasTraining) _model.train();
        }
        var metrics = EvaluationMetrics.Compute(_rewards.Select(r => r.Name).ToList(), samples);
        return new EvaluationResult(metrics, samples, samples.Select(s => s.RowIndex).Distinct().Count(), watch.Elapsed.TotalSeconds) { SkippedRows = skipped };
    }

    // One batch of rows; a row that cannot be built is dropped from it (and from indices) and listed in skipped.
    List<EvaluationSample> RunUsable(GenerationEngine engine, Dataset dataset, List<int> indices, ResolvedGeneration settings,
        int numGenerations, List<BadRow> skipped, CancellationToken cancellationToken)
    {
        while (indices.Count > 0)
        {
            try
            {
                return RunBatch(engine, indices.Select(i => dataset[i]).ToList(), indices, settings, numGenerations, cancellationToken);
            }
            catch (BadRowException e) when (!FailOnBadRow)
            {
                skipped.Add(e.Row);
                indices.RemoveAt(e.Index);
            }
        }
        return [];
    }

    List<EvaluationSample> RunBatch(GenerationEngine engine, IReadOnlyList<DatasetRow> rows, IReadOnlyList<int> rowIndices,
        ResolvedGeneration settings, int numGenerations, CancellationToken cancellationToken)
    {
        using var scope = torch.NewDisposeScope();
        using var prompts = _prompts.Build(rows);
        var output = engine.Generate(prompts.Inputs.To(_model.parameters().First().device), settings, numGenerations);
        var sequences = output.Sequences;
        var batch = new RewardBatch(
            sequences.Select(s => prompts.Texts[s.PromptIndex]).ToArray(),
            sequences.Select(s => s.Text).ToArray(),
            Columns(rows, sequences));
        var scores = _rewards.Select(r => r.ScoreChecked(batch, cancellationToken)).ToArray();
        var weights = _rewards.Select(r => (double)r.Weight).ToArray();
        var result = new List<EvaluationSample>(sequences.Count);
        for (int i = 0; i < sequences.Count; i++)
        {
            var values = scores.Select(s => s[i] is float v ? (double?)v : null).ToArray();
            result.Add(new EvaluationSample
            {
                RowIndex = rowIndices[sequences[i].PromptIndex],
                SampleIndex = sequences[i].SampleIndex,
                Prompt = batch.Prompts[i],
                Completion = sequences[i].Text,
                CompletionIds = sequences[i].CompletionIds,
                Rewards = _rewards.Select((r, f) => KeyValuePair.Create(r.Name, values[f])).ToDictionary(),
                Reward = EvaluationMetrics.WeightedSum(values, weights),
                FinishReason = sequences[i].FinishReason,
            });
        }
        return result;
    }

    /// <summary>
    /// Every dataset column except the image, aligned with the completions (TRL's reward kwargs, e.g. <c>solution</c>).
    /// The image stays out: reward functions here score text, and decoded images would be copied per completion.
    /// </summary>
    Dictionary<string, IReadOnlyList<object?>> Columns(IReadOnlyList<DatasetRow> rows, IReadOnlyList<GeneratedSequence> sequences) =>
        rows[0].Keys.Where(c => c != _prompts.ImageColumn)
            .ToDictionary(c => c, c => (IReadOnlyList<object?>)sequences.Select(s => rows[s.PromptIndex][c]).ToArray());
}
