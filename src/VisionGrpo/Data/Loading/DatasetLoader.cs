using VisionGrpo.Data.Parquet;
using VisionGrpo.Data.Splits;

namespace VisionGrpo.Data.Loading;

/// <summary>
/// <c>load_dataset(path, split=...)</c> for local data: a dataset folder (parquet shards, JSONL, CSV, image folder,
/// with or without a dataset card) or a single data file, then a <c>datasets</c> split string such as <c>train[:5%]</c>.
/// </summary>
public static class DatasetLoader
{
    /// <summary>Loads the rows that <paramref name="split"/> selects.</summary>
    /// <param name="path">Dataset folder or data file.</param>
    /// <param name="split">Split string (<c>train</c>, <c>train[:5%]</c>, <c>train[:10]+test[:3]</c>, <c>all</c>).</param>
    /// <param name="config">Card config name (default config when null).</param>
    /// <param name="imageColumn">For JSONL/CSV: the column holding image paths.</param>
    /// <exception cref="ArgumentException">Bad split string, unknown split, or nothing to load.</exception>
    /// <exception cref="InvalidDataException">A data file cannot be read.</exception>
    public static Dataset Load(string path, string split = "train", string? config = null, string? imageColumn = null)
    {
        SplitSpec.Validate(split);
        var splits = LoadSplits(path, config, imageColumn);
        var lengths = splits.Select(kv => new KeyValuePair<string, long>(kv.Key, kv.Value.Count)).ToList();
        var ranges = SplitSpec.Resolve(split, lengths);
        var byName = splits.ToDictionary(kv => kv.Key, kv => kv.Value);
        if (ranges.Count == 1 && ranges[0].From == 0 && ranges[0].To == byName[ranges[0].Split].Count)
            return byName[ranges[0].Split];
        var parts = ranges.Select(r => byName[r.Split].Select(Enumerable.Range((int)r.From, (int)r.Count).ToArray())).ToList();
        return parts.Count == 1 ? parts[0] : new ConcatenatedDataset($"{byName[ranges[0].Split].Name}[{split}]", parts);
    }

    /// <summary>Every split of the dataset, in split order (parquet splits are opened lazily: footers only).</summary>
    public static List<KeyValuePair<string, Dataset>> LoadSplits(string path, string? config = null, string? imageColumn = null)
    {
        string full = Path.GetFullPath(path);
        if (File.Exists(full))
        {
            string dir = Path.GetDirectoryName(full)!;
            return [new("train", Open(Path.GetFileName(full), dir, [full], imageColumn))];
        }
        if (!Directory.Exists(full)) throw new ArgumentException($"dataset '{path}' not found (no such file or folder)");
        string name = Path.GetFileName(full.TrimEnd(Path.DirectorySeparatorChar));
        var files = SplitFiles.Resolve(full, config);
        if (files.Count == 0)
        {
            if (ImageFolderLoader.Looks(full)) return [new("train", ImageFolderLoader.Load(name, full))];
            throw new ArgumentException($"dataset folder '{path}' has no parquet, JSONL, CSV or image files");
        }
        return files.Select(kv => new KeyValuePair<string, Dataset>(kv.Key, Open(name, full, kv.Value, imageColumn))).ToList();
    }

    static Dataset Open(string name, string baseDir, IReadOnlyList<string> files, string? imageColumn)
    {
        var exts = files.Select(f => Path.GetExtension(f).ToLowerInvariant()).Distinct().ToList();
        if (exts.Count > 1) throw new InvalidDataException($"dataset '{name}': one split mixes file formats ({string.Join(", ", exts)})");
        return exts[0] switch
        {
            ".parquet" => ParquetDataset.Open(name, baseDir, files),
            ".jsonl" or ".json" => JsonlLoader.Load(name, baseDir, files, imageColumn),
            ".csv" => CsvLoader.Load(name, baseDir, files, imageColumn),
            var e => throw new InvalidDataException($"dataset '{name}': unsupported file format '{e}' (parquet, jsonl, json, csv)"),
        };
    }
}
