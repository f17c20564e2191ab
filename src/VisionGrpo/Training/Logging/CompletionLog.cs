using Parquet;
using Parquet.Schema;

namespace VisionGrpo.Training.Logging;

/// <summary>
/// The completions of each logging step when <c>log_completions</c> is on, saved as TRL 1.9's <c>GRPOTrainer.log</c>
/// saves them: <c>output_dir/completions/completions_{step:05d}.parquet</c> with the columns <c>step</c>,
/// <c>prompt</c>, <c>completion</c>, one per reward function (null = None) and <c>advantage</c>; plus the same rows,
/// one JSON object a line, appended to <c>output_dir/completions.jsonl</c> beside <c>metrics.jsonl</c>.
/// </summary>
internal sealed class CompletionLog : IDisposable
{
    readonly string _folder;
    readonly MetricsJsonlWriter _jsonl;

    /// <summary>File name of the JSONL log in the output folder.</summary>
    public const string JsonlFileName = "completions.jsonl";
    /// <summary>Folder of the per-step parquet tables in the output folder.</summary>
    public const string FolderName = "completions";

    CompletionLog(string folder, MetricsJsonlWriter jsonl)
    {
        _folder = folder;
        _jsonl = jsonl;
    }

    /// <summary>Full path of <c>completions.jsonl</c>.</summary>
    public string FilePath => _jsonl.FilePath;

    /// <summary>Opens the log in <paramref name="outputDir"/>; <paramref name="append"/> continues completions.jsonl (resume).</summary>
    public static CompletionLog Open(string outputDir, bool append)
    {
        string folder = Path.Combine(outputDir, FolderName);
        Directory.CreateDirectory(folder);
        return new CompletionLog(folder, new MetricsJsonlWriter(Path.Combine(outputDir, JsonlFileName), append));
    }

    /// <summary>The parquet table of <paramref name="step"/>.</summary>
    public static string ParquetPath(string outputDir, long step) => Path.Combine(outputDir, FolderName, $"completions_{step:00000}.parquet");

    /// <summary>Writes the completions of one logging step (all from the same <see cref="CompletionSample.Step"/>).</summary>
    public void Write(IReadOnlyList<CompletionSample> samples)
    {
        if (samples.Count == 0) return;
        var rewardNames = samples[0].Rewards.Keys.ToList();
        foreach (var s in samples)
        {
            var record = new List<KeyValuePair<string, object?>> { new("step", s.Step), new("prompt", s.Prompt), new("completion", s.Completion) };
            record.AddRange(rewardNames.Select(n => new KeyValuePair<string, object?>(n, s.Rewards.GetValueOrDefault(n))));
            record.Add(new("advantage", s.Advantage));
            _jsonl.Write(record);
        }
        WriteParquetAsync(Path.Combine(_folder, $"completions_{samples[0].Step:00000}.parquet"), samples, rewardNames).GetAwaiter().GetResult();
    }

    static async Task WriteParquetAsync(string path, IReadOnlyList<CompletionSample> samples, IReadOnlyList<string> rewardNames)
    {
        // Nullable columns, as pyarrow writes a pandas DataFrame (a None reward is a null, read back as NaN).
        var step = new DataField<long?>("step");
        var prompt = new DataField<string>("prompt", true);
        var completion = new DataField<string>("completion", true);
        var rewards = rewardNames.Select(n => new DataField<double?>(n)).ToList();
        var advantage = new DataField<double?>("advantage");
        var schema = new ParquetSchema(new Field[] { step, prompt, completion }.Concat(rewards).Append(advantage));
        string tmp = path + ".tmp";
        await using (var stream = File.Create(tmp))
        {
            await using var writer = await ParquetWriter.CreateAsync(schema, stream);
            using var group = writer.CreateRowGroup();
            await group.WriteAsync<long>(step, samples.Select(s => (long?)s.Step).ToArray());
            await group.WriteAsync(prompt, samples.Select(s => s.Prompt).ToArray(), null);
            await group.WriteAsync(completion, samples.Select(s => s.Completion).ToArray(), null);
            for (int r = 0; r < rewards.Count; r++)
                await group.WriteAsync<double>(rewards[r], samples.Select(s => s.Rewards.GetValueOrDefault(rewardNames[r])).ToArray());
            await group.WriteAsync<double>(advantage, samples.Select(s => (double?)s.Advantage).ToArray());
        }
        File.Move(tmp, path, overwrite: true);
    }

    /// <summary>Closes completions.jsonl.</summary>
    public void Dispose() => _jsonl.Dispose();
}
