using System.Globalization;

namespace VisionGrpo.Data.Synthetic;

/// <summary>
/// A synthetic dataset named in a recipe instead of a folder or hub id:
/// <c>synth:visual_math?rows=640&amp;seed=42&amp;difficulty=easy&amp;tasks=count_dots&amp;teacher_accuracy=0.4</c>.
/// It is generated once (exactly what <c>visiongrpo data synth</c> writes for the same options) into the user cache
/// (<c>$VISIONGRPO_CACHE</c>, else <c>$XDG_CACHE_HOME/visiongrpo</c>, else <c>~/.cache/visiongrpo</c>) and reused.
/// </summary>
public sealed record SynthDatasetSpec(int Rows, long Seed, SynthDifficulty Difficulty, IReadOnlyList<string>? Tasks, double? TeacherAccuracy)
{
    /// <summary>The scheme prefix.</summary>
    public const string Prefix = "synth:visual_math";

    /// <summary>Whether <paramref name="datasetName"/> names a synthetic dataset.</summary>
    public static bool Matches(string datasetName) => datasetName.StartsWith(Prefix, StringComparison.Ordinal);

    /// <summary>Parses the spec.</summary>
    /// <exception cref="ArgumentException">An unknown option or a bad value, naming it.</exception>
    public static SynthDatasetSpec Parse(string datasetName)
    {
        if (!Matches(datasetName)) throw new ArgumentException($"'{datasetName}' does not start with '{Prefix}'.");
        string query = datasetName[Prefix.Length..];
        if (query.Length > 0 && query[0] != '?') throw new ArgumentException($"'{datasetName}': expected {Prefix}?rows=N&seed=S&...");
        var spec = new SynthDatasetSpec(1000, 42, SynthDifficulty.Easy, null, null);
        foreach (string pair in query.TrimStart('?').Split('&', StringSplitOptions.RemoveEmptyEntries))
        {
            var (key, value) = pair.IndexOf('=') is int eq and > 0 ? (pair[..eq], pair[(eq + 1)..]) : (pair, "");
            string where = $"dataset_name '{datasetName}': {key}";
            spec = key switch
            {
                "rows" => spec with { Rows = int.TryParse(value, CultureInfo.InvariantCulture, out int r) && r > 0 ? r : throw new ArgumentException($"{where} must be a positive integer (got '{value}').") },
                "seed" => spec with { Seed = long.TryParse(value, CultureInfo.InvariantCulture, out long s) && s >= 0 ? s : throw new ArgumentException($"{where} must be a non-negative integer (got '{value}').") },
                "difficulty" => spec with { Difficulty = Enum.TryParse<SynthDifficulty>(value, ignoreCase: true, out var d) ? d : throw new ArgumentException($"{where} must be easy, medium, hard or demo (got '{value}').") },
                "tasks" => spec with { Tasks = value.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries) },
                "teacher_accuracy" => spec with { TeacherAccuracy = double.TryParse(value, CultureInfo.InvariantCulture, out double p) && p is >= 0 and <= 1 ? p : throw new ArgumentException($"{where} must be in [0, 1] (got '{value}').") },
                _ => throw new ArgumentException($"{where} is not an option (rows, seed, difficulty, tasks, teacher_accuracy)."),
            };
        }
        if (spec.Tasks is not null) VisualMathGenerator.TemplatesNamed(spec.Tasks);  // unknown task names fail here
        return spec;
    }

    /// <summary>The generator these options describe.</summary>
    public VisualMathGenerator Generator() =>
        new(Seed, Difficulty, Tasks is null ? null : VisualMathGenerator.TemplatesNamed(Tasks));

    /// <summary>
    /// The cache folder name: every option spelled out (teacher data says how the teacher errs, so folders written
    /// when wrong answers were drawn from the whole range are not reused).
    /// </summary>
    public string FolderName => string.Create(CultureInfo.InvariantCulture,
        $"visual_math-rows{Rows}-seed{Seed}-{Difficulty.ToString().ToLowerInvariant()}-{(Tasks is null ? "all" : string.Join("+", Tasks))}{(TeacherAccuracy is double p ? $"-teacher{p}-overcount" : "")}");

    /// <summary>The user cache root for generated datasets.</summary>
    public static string CacheRoot()
    {
        string? explicitRoot = Environment.GetEnvironmentVariable("VISIONGRPO_CACHE");
        if (!string.IsNullOrEmpty(explicitRoot)) return explicitRoot;
        string? xdg = Environment.GetEnvironmentVariable("XDG_CACHE_HOME");
        string cache = !string.IsNullOrEmpty(xdg) ? xdg : Path.Combine(Environment.GetFolderPath(Environment.SpecialFolder.UserProfile), ".cache");
        return Path.Combine(cache, "visiongrpo");
    }

    /// <summary>The dataset folder, generated on first use (into a temporary folder renamed when complete).</summary>
    /// <param name="log">Receives a line when the data is generated.</param>
    /// <param name="cacheRoot">Cache root (default <see cref="CacheRoot"/>).</param>
    public string Materialize(Action<string>? log = null, string? cacheRoot = null)
    {
        string folder = Path.Combine(cacheRoot ?? CacheRoot(), "synth", FolderName);
        if (File.Exists(Path.Combine(folder, "README.md"))) return folder;
        log?.Invoke($"generating {Rows} synthetic visual-math rows into {folder} (once; reused afterwards)");
        string temp = folder + ".tmp-" + Environment.ProcessId;
        if (Directory.Exists(temp)) Directory.Delete(temp, recursive: true);
        var generator = Generator();
        var teacher = TeacherAccuracy is double accuracy ? new NoisyTeacher(generator, accuracy, Seed) : null;
        SynthDatasetWriter.Write(temp, generator, Rows, shards: 1, difficulty: Difficulty, seed: Seed, teacher: teacher);
        // Another process may have finished the same folder meanwhile (the ranks of an MPI job all start here): the
        // rows are identical, so keep the complete one and never delete it under a reader.
        if (!File.Exists(Path.Combine(folder, "README.md")) && Directory.Exists(folder)) Directory.Delete(folder, recursive: true);
        try
        {
            Directory.Move(temp, folder);
        }
        catch (IOException) when (File.Exists(Path.Combine(folder, "README.md")))
        {
            Directory.Delete(temp, recursive: true);
        }
        return folder;
    }
}
