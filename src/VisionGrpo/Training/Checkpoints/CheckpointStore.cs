using System.Globalization;
using System.Text.RegularExpressions;
using TorchSharp;
using VisionGrpo.Tensors;

namespace VisionGrpo.Training.Checkpoints;

/// <summary>
/// The <c>output_dir/checkpoint-N/</c> folders of a run, written so a crash never leaves a half checkpoint behind:
/// contents go to a hidden temporary folder first, which is renamed into place only once complete. Old checkpoints
/// are rotated per <c>save_total_limit</c>; a folder counts as a checkpoint only when it holds <c>trainer_state.json</c>.
/// </summary>
internal sealed partial class CheckpointStore
{
    /// <summary>Prefix of checkpoint folder names (the HF Trainer's).</summary>
    public const string Prefix = "checkpoint-";
    const string TempPrefix = ".tmp-" + Prefix;
    const string StateFile = CheckpointContents.StateFile;

    /// <summary>Manages checkpoints under <paramref name="outputDir"/>.</summary>
    public CheckpointStore(string outputDir) => OutputDir = outputDir;

    /// <summary>The run's output folder.</summary>
    public string OutputDir { get; }

    /// <summary>Called with the temporary folder just before it is renamed into place (fault-injection point for tests).</summary>
    internal static Action<string>? BeforeCommit { get; set; }

    /// <summary>
    /// Writes checkpoint <paramref name="step"/>: <paramref name="write"/> fills a temporary folder, which then replaces
    /// any previous <c>checkpoint-N</c> of the same step; then the oldest checkpoints beyond <paramref name="totalLimit"/> are removed.
    /// </summary>
    /// <returns>The checkpoint folder.</returns>
    public string Save(long step, Action<string> write, int? totalLimit)
    {
        Directory.CreateDirectory(OutputDir);
        string final = PathFor(step);
        string temp = Path.Combine(OutputDir, TempPrefix + step.ToString(CultureInfo.InvariantCulture) + "-" + Environment.ProcessId);
        if (Directory.Exists(temp)) Directory.Delete(temp, recursive: true);
        Directory.CreateDirectory(temp);
        try
        {
            write(temp);
        }
        catch (IOException e)
        {
            // Typically "No space left on device": say which checkpoint, and free what the half-written one took.
            try { Directory.Delete(temp, recursive: true); } catch (IOException) { }
            throw OutputWrite.Failed(final, step, e, "nothing was replaced; the previous checkpoints are intact");
        }
        if (!File.Exists(Path.Combine(temp, StateFile)))
            throw new InvalidOperationException($"a checkpoint must contain {StateFile}.");
        BeforeCommit?.Invoke(temp);
        if (Directory.Exists(final))
        {
            string old = temp + ".old";
            Directory.Move(final, old);
            Directory.Move(temp, final);
            Directory.Delete(old, recursive: true);
        }
        else Directory.Move(temp, final);
        if (totalLimit is int limit and > 0)
            foreach (var (_, path) in List().SkipLast(limit)) Directory.Delete(path, recursive: true);
        return final;
    }

    /// <summary>The folder of checkpoint <paramref name="step"/>.</summary>
    public string PathFor(long step) => Path.Combine(OutputDir, Prefix + step.ToString(CultureInfo.InvariantCulture));

    /// <summary>Complete checkpoints, oldest first.</summary>
    public List<(long Step, string Path)> List()
    {
        if (!Directory.Exists(OutputDir)) return [];
        return Directory.EnumerateDirectories(OutputDir)
            .Select(d => (Match: StepName().Match(Path.GetFileName(d)), Path: d))
            .Where(x => x.Match.Success && File.Exists(Path.Combine(x.Path, StateFile)))
            .Select(x => (long.Parse(x.Match.Groups[1].Value, CultureInfo.InvariantCulture), x.Path))
            .OrderBy(x => x.Item1)
            .ToList();
    }

    /// <summary>The newest complete checkpoint, or null.</summary>
    public string? Latest() => List() is { Count: > 0 } all ? all[^1].Path : null;

    /// <summary>
    /// The checkpoint to go back to after step <paramref name="divergedStep"/> went non-finite, or null: the newest
    /// one saved before step <paramref name="divergedStep"/> − 1 (checkpoint <paramref name="divergedStep"/> − 1 holds
    /// the very weights that produced the non-finite step, e.g. 1e30 after <c>learning_rate: 1e30</c>) whose saved
    /// weights are all finite.
    /// </summary>
    public string? LastGood(long divergedStep) =>
        List().Where(c => c.Step < divergedStep - 1).Select(c => c.Path).Reverse()
            .FirstOrDefault(path => Directory.EnumerateFiles(path, "*.safetensors").All(AllFinite));

    static bool AllFinite(string safetensors)
    {
        using var file = SafetensorsFile.Open(safetensors);
        foreach (string name in file.Names)
        {
            using var scope = torch.NewDisposeScope();
            var tensor = file.Load(name);
            if (tensor.is_floating_point() && !torch.isfinite(tensor).all().item<bool>()) return false;
        }
        return true;
    }

    /// <summary>Removes temporary folders a crashed save left behind; returns how many.</summary>
    public int RemoveStale()
    {
        if (!Directory.Exists(OutputDir)) return 0;
        var stale = Directory.EnumerateDirectories(OutputDir, TempPrefix + "*").ToList();
        foreach (string dir in stale) Directory.Delete(dir, recursive: true);
        return stale.Count;
    }

    /// <summary>
    /// Resolves <c>resume_from_checkpoint</c>: <c>true</c> → the latest checkpoint in the output folder (error when
    /// there is none), a path → that folder (error when it is not a complete checkpoint), null/false → none.
    /// </summary>
    /// <exception cref="DirectoryNotFoundException">No usable checkpoint where one was asked for.</exception>
    public string? ResolveResume(string? value)
    {
        if (string.IsNullOrWhiteSpace(value) || value.Equals("false", StringComparison.OrdinalIgnoreCase)) return null;
        if (value.Equals("true", StringComparison.OrdinalIgnoreCase))
            return Latest() ?? throw new DirectoryNotFoundException(
                $"resume_from_checkpoint: true, but '{OutputDir}' holds no complete {Prefix}N folder.");
        if (!File.Exists(Path.Combine(value, StateFile)))
            throw new DirectoryNotFoundException($"resume_from_checkpoint: '{value}' is not a checkpoint folder (no {StateFile}).");
        return value;
    }

    [GeneratedRegex(@"^checkpoint-(\d+)$")]
    private static partial Regex StepName();
}
