using System.Text.RegularExpressions;

namespace VisionGrpo.Data.Loading;

/// <summary>
/// Which files make up each split of a dataset folder: the card's <c>configs</c>/<c>data_files</c> when present,
/// else <c>datasets</c>' naming conventions (<c>train-00000-of-00002.parquet</c>, <c>data/test.jsonl</c>, …).
/// </summary>
internal static partial class SplitFiles
{
    static readonly string[] DataExtensions = [".parquet", ".jsonl", ".json", ".csv"];

    static readonly (string Split, string[] Keywords)[] Conventions =
    [
        ("train", ["train", "training"]),
        ("validation", ["validation", "valid", "dev", "val"]),
        ("test", ["test", "testing", "eval", "evaluation"]),
    ];

    [GeneratedRegex(@"^(?<kw>[a-z]+)(?:[-._ 0-9].*)?$", RegexOptions.IgnoreCase)]
    private static partial Regex KeywordPrefix();

    /// <summary>Split name → files (absolute paths, sorted), in split order.</summary>
    /// <exception cref="ArgumentException">An unknown config, or a pattern of the card that matches nothing.</exception>
    public static List<KeyValuePair<string, IReadOnlyList<string>>> Resolve(string dir, string? config = null)
    {
        var result = new List<KeyValuePair<string, IReadOnlyList<string>>>();
        if (DatasetCard.Read(dir)?.Select(config) is { DataFiles.Count: > 0 } cfg)
        {
            foreach (var (split, patterns) in cfg.DataFiles)
            {
                var files = patterns.SelectMany(p => Glob.Match(dir, p)).Distinct().ToList();
                if (files.Count == 0)
                    throw new ArgumentException($"{dir}: config '{cfg.Name}' split '{split}': no file matches {string.Join(", ", patterns)}");
                result.Add(new(split, files));
            }
            return result;
        }
        if (config is not null && config != "default")
            throw new ArgumentException($"{dir}: config '{config}' requested but the folder has no dataset card declaring configs");

        var data = Glob.Files(dir).Where(IsDataFile).ToList();
        foreach (var (split, keywords) in Conventions)
        {
            var files = data.Where(rel => rel.Split('/').Any(part => KeywordPrefix().Match(part) is { Success: true } m
                && keywords.Contains(m.Groups["kw"].Value.ToLowerInvariant()))).ToList();
            if (files.Count > 0) result.Add(new(split, files.Select(f => Path.Combine(dir, f)).ToList()));
        }
        if (result.Count == 0 && data.Count > 0) result.Add(new("train", data.Select(f => Path.Combine(dir, f)).ToList()));
        return result;
    }

    /// <summary>True for parquet, JSON Lines, JSON and CSV files that are not image-folder metadata.</summary>
    public static bool IsDataFile(string path)
    {
        string name = Path.GetFileName(path);
        return DataExtensions.Contains(Path.GetExtension(name).ToLowerInvariant())
            && !name.StartsWith("metadata.", StringComparison.OrdinalIgnoreCase)
            && !name.Equals("dataset_info.json", StringComparison.OrdinalIgnoreCase)
            && !name.Equals("dataset_infos.json", StringComparison.OrdinalIgnoreCase)
            && !name.Equals("state.json", StringComparison.OrdinalIgnoreCase);
    }
}
