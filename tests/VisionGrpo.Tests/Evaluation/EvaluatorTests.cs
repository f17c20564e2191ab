using VisionGrpo.Data;
using VisionGrpo.Data.Loading;
using VisionGrpo.Generation;
using VisionGrpo.Models;
using VisionGrpo.Models.Qwen2_5_VL;
using VisionGrpo.Recipes;
using VisionGrpo.Rewards;
using VisionGrpo.Text;
using VisionGrpo.Training.Evaluation;
using VisionGrpo.Training.Inputs;
using VisionGrpo.Vision;
using Xunit;

namespace VisionGrpo.Tests.Evaluation;

/// <summary><see cref="Evaluator"/> on the tiny random VLM: metric arithmetic, determinism, mode restore, limits.</summary>
public sealed class EvaluatorTests(EvalFixture fixture) : IClassFixture<EvalFixture>
{
    /// <summary>Returns a fixed sequence of values across calls, in call order, and records what it was given.</summary>
    sealed class StubReward(string name, float weight, params float?[] values) : IRewardFunction
    {
        int _next;
        public string Name => name;
        public float Weight => weight;
        public List<RewardBatch> Batches { get; } = [];

        public float?[] Score(RewardBatch batch, CancellationToken cancellationToken = default)
        {
            Batches.Add(batch);
            return Enumerable.Range(0, batch.Count).Select(_ => values[_next++]).ToArray();
        }
    }

    (QwenVLForConditionalGeneration Model, HfTokenizer Tokenizer, PromptBuilder Prompts) Load()
    {
        var model = ModelFolder.Load(fixture.ModelDir, TorchSharp.torch.ScalarType.Float32);
        var text = VlTextProcessor.FromDirectory(fixture.ModelDir);
        var images = new QwenImageProcessor(ImageProcessorConfig.Load(fixture.ModelDir));
        return (model, text.Tokenizer, new PromptBuilder(text, images, SystemPrompts.R1));
    }

    Dataset Data => DatasetLoader.Load(fixture.DatasetDir, "train");

    static ResolvedGeneration Sampling(long? seed, int maxNewTokens = 3) =>
        new GenerationOptions { MaxNewTokens = maxNewTokens, Temperature = 1.0, DoSample = true, Seed = seed, TrlMode = true }
            .Resolve(null, tokenizerEos: 151645, tokenizerPad: 151643);

    [Fact]
    public void MetricsFollowTrlsNanmeanAndWeightedSumOnKnownRewards()
    {
        var (model, tokenizer, prompts) = Load();
        using var _ = model;
        // 6 rows x G=2 in batches of 4 completions: 12 values, handed out in call order.
        var accuracy = new StubReward("accuracy_reward", 2f, 1, 0, null, 1, 1, 0, null, null, 0, 1, 1, 0);
        var format = new StubReward("format_reward", 1f, 1, 1, 0.5f, 0, null, 1, 1, null, 0, 1, 1, 1);
        var result = new Evaluator(model, tokenizer, prompts, [accuracy, format])
            .Evaluate(Data, Sampling(seed: 1), numGenerations: 2, batchSize: 4, limit: 6, cancellationToken: TestContext.Current.CancellationToken);

        Assert.Equal(6, result.Rows);
        Assert.Equal(12, result.Samples.Count);
        Assert.Equal(3, accuracy.Batches.Count);
        var m = result.Metrics;
        // accuracy: 9 valid values, five of them 1 → mean 5/9, Bessel std sqrt(5/18).
        Assert.Equal(5.0 / 9, m["rewards/accuracy_reward/mean"], 12);
        Assert.Equal(Math.Sqrt(5.0 / 18), m["rewards/accuracy_reward/std"], 12);
        Assert.Equal(5.0 / 9, m["accuracy"], 12);
        // format: 10 valid values (seven 1s, one 0.5, two 0s) → mean 0.75, format_rate 7/10.
        Assert.Equal(0.75, m["rewards/format_reward/mean"], 12);
        Assert.Equal(0.7, m["format_rate"], 12);
        // Weighted sums 3,1,.5,2,2,1,1,NaN,0,3,3,1 (row 7 has no reward at all and is left out): mean 17.5/11.
        Assert.True(double.IsNaN(result.Samples[7].Reward));
        Assert.Equal(0.5, result.Samples[2].Reward, 12);
        Assert.Equal(17.5 / 11, m["reward"], 12);
        Assert.Equal(1.0681334611878288, m["reward_std"], 12);
        Assert.Null(result.Samples[7].Rewards["accuracy_reward"]);
        Assert.Contains("\"reward\": null", result.Samples[7].ToJsonLine());

        // Lengths and clipping agree with the samples; prompt-major order with dataset row indices.
        Assert.Equal(result.Samples.Average(s => s.CompletionTokens), m["completions/mean_length"], 12);
        Assert.Equal(result.Samples.Count(s => s.FinishReason == FinishReason.Length) / 12.0, m["completions/clipped_ratio"], 12);
        Assert.Equal([0, 0, 1, 1, 2, 2, 3, 3, 4, 4, 5, 5], result.Samples.Select(s => s.RowIndex));
        Assert.Equal([0, 1, 0, 1], result.Samples.Take(4).Select(s => s.SampleIndex));

        // The rewards saw the rendered prompts and the dataset's solution column, aligned with the completions.
        var first = accuracy.Batches[0];
        var rows = Data;
        Assert.Equal(rows[0].GetString("solution"), first.ColumnString("solution", 1));
        Assert.Equal(rows[1].GetString("solution"), first.ColumnString("solution", 2));
        Assert.Contains(rows[1].GetString("problem")!, first.Prompts[3]);
        Assert.False(first.Columns.ContainsKey("image"));
    }

    [Fact]
    public void SameSeedSameCompletionsAndTheModeIsRestored()
    {
        var (model, tokenizer, prompts) = Load();
        using var _ = model;
        var evaluator = new Evaluator(model, tokenizer, prompts, [new FormatReward(), new AccuracyReward()]);
        model.train();
        var progress = new List<int>();
        var a = evaluator.Evaluate(Data, Sampling(seed: 5), numGenerations: 2, batchSize: 4, limit: 3, progress: new SyncProgress(progress), cancellationToken: TestContext.Current.CancellationToken);
        Assert.True(model.training);
        model.eval();
        var b = evaluator.Evaluate(Data, Sampling(seed: 5), numGenerations: 2, batchSize: 4, limit: 3, cancellationToken: TestContext.Current.CancellationToken);
        Assert.False(model.training);
        var c = evaluator.Evaluate(Data, Sampling(seed: 6), numGenerations: 2, batchSize: 4, limit: 3, cancellationToken: TestContext.Current.CancellationToken);

        string Ids(EvaluationResult r) => string.Join("|", r.Samples.Select(s => string.Join(",", s.CompletionIds)));
        Assert.Equal(Ids(a), Ids(b));
        Assert.NotEqual(Ids(a), Ids(c));
        Assert.Equal(a.Metrics, b.Metrics);
        Assert.Equal([2, 3], progress);
        Assert.Equal(3, a.Rows);
        Assert.Equal(6, a.Samples.Count);
        Assert.All(a.Samples, s => Assert.InRange(s.CompletionTokens, 1, 3));
        Assert.Contains("rewards/format_reward/mean", a.Metrics.Keys);
        Assert.Contains("accuracy", a.Metrics.Keys);
        Assert.Contains("format_rate", a.Metrics.Keys);
    }

    [Fact]
    public void DuplicateNamesBadArgumentsAndCancellationLeaveTheModelAsItWas()
    {
        var (model, tokenizer, prompts) = Load();
        using var _ = model;
        var e = Assert.Throws<ArgumentException>(() => new Evaluator(model, tokenizer, prompts, [new FormatReward(), new FormatReward(2f)]));
        Assert.Contains("format_reward", e.Message);
        var evaluator = new Evaluator(model, tokenizer, prompts, [new FormatReward()]);
        Assert.Throws<ArgumentOutOfRangeException>(() => evaluator.Evaluate(Data, Sampling(1), numGenerations: 0, cancellationToken: TestContext.Current.CancellationToken));
        Assert.Throws<ArgumentOutOfRangeException>(() => evaluator.Evaluate(Data, Sampling(1), batchSize: 0, cancellationToken: TestContext.Current.CancellationToken));
        using var cancelled = new CancellationTokenSource();
        cancelled.Cancel();
        model.train();
        Assert.ThrowsAny<OperationCanceledException>(() => evaluator.Evaluate(Data, Sampling(1), cancellationToken: cancelled.Token));
        Assert.True(model.training);
    }

    /// <summary>IProgress that records synchronously (Progress&lt;T&gt; posts to the thread pool).</summary>
    sealed class SyncProgress(List<int> values) : IProgress<int>
    {
        public void Report(int value) => values.Add(value);
    }
}
