namespace VisionGrpo.Training.Evaluation;

/// <summary>Aggregated metrics and every scored completion of one <see cref="Evaluator.Evaluate"/> call.</summary>
public sealed class EvaluationResult
{
    /// <summary>Creates a result.</summary>
    public EvaluationResult(IReadOnlyDictionary<string, double> metrics, IReadOnlyList<EvaluationSample> samples, int rows, double seconds)
    {
        Metrics = metrics;
        Samples = samples;
        Rows = rows;
        Seconds = seconds;
    }

    /// <summary>
    /// TRL's metric names without the <c>eval_</c> prefix: <c>rewards/&lt;name&gt;/mean</c> and <c>/std</c>,
    /// <c>reward</c>, <c>reward_std</c>, <c>completions/mean_length</c>, <c>min_length</c>, <c>max_length</c>,
    /// <c>completions/clipped_ratio</c>, plus <c>accuracy</c> and <c>format_rate</c> when such rewards are present.
    /// NaN where no value was valid (TRL logs None there).
    /// </summary>
    public IReadOnlyDictionary<string, double> Metrics { get; }

    /// <summary>Every completion, prompt-major (row i, sample g).</summary>
    public IReadOnlyList<EvaluationSample> Samples { get; }

    /// <summary>Number of prompt rows evaluated.</summary>
    public int Rows { get; }

    /// <summary>Rows skipped because their prompt could not be built (e.g. an image that no longer decodes), with the reason.</summary>
    public IReadOnlyList<Data.Validation.BadRow> SkippedRows { get; init; } = [];

    /// <summary>Wall-clock seconds of the whole evaluation (prompt building, generation, scoring).</summary>
    public double Seconds { get; }

    /// <summary>Completion tokens generated in total.</summary>
    public long GeneratedTokens => Samples.Sum(s => (long)s.CompletionTokens);

    /// <summary>Generated tokens per wall-clock second.</summary>
    public double TokensPerSecond => Seconds > 0 ? GeneratedTokens / Seconds : 0;

    /// <summary>Writes <see cref="Samples"/> as JSONL (one object per completion, see <see cref="EvaluationSample.ToJsonLine"/>).</summary>
    public void WriteSamples(string path)
    {
        string? dir = Path.GetDirectoryName(Path.GetFullPath(path));
        if (dir is not null) Directory.CreateDirectory(dir);
        using var writer = new StreamWriter(path, append: false, new System.Text.UTF8Encoding(false)) { NewLine = "\n" };
        foreach (var sample in Samples) writer.WriteLine(sample.ToJsonLine());
    }
}
