using System.Text.Json.Nodes;
using Parquet;
using Parquet.Schema;

namespace VisionGrpo.Data.Parquet;

/// <summary>
/// One parquet file of a dataset: its footer is read once; row groups are decoded on demand, so memory is
/// bounded by the row groups in the dataset's cache, not by the file size.
/// </summary>
internal sealed class ParquetShard
{
    ParquetShard(string path, string relativeName, long[] groupStarts, List<ParquetColumnPlan> columns)
    {
        Path = path;
        RelativeName = relativeName;
        GroupStarts = groupStarts;
        Columns = columns;
    }

    public string Path { get; }

    /// <summary>The file name relative to the dataset folder (for messages).</summary>
    public string RelativeName { get; }

    /// <summary>First row of each row group, plus the total row count at the end.</summary>
    public long[] GroupStarts { get; }

    public long RowCount => GroupStarts[^1];

    public List<ParquetColumnPlan> Columns { get; }

    /// <summary>Reads the footer: schema, <c>huggingface</c> metadata and row group sizes.</summary>
    /// <exception cref="InvalidDataException">Not a parquet file, or a malformed <c>huggingface</c> metadata entry.</exception>
    public static ParquetShard Open(string path, string relativeName)
    {
        try
        {
            return OpenAsync(path, relativeName).GetAwaiter().GetResult();
        }
        catch (Exception e) when (e is not InvalidDataException and not NotSupportedException and not FileNotFoundException)
        {
            throw new InvalidDataException($"{relativeName}: cannot read parquet footer: {e.Message}", e);
        }
    }

    static async Task<ParquetShard> OpenAsync(string path, string relativeName)
    {
        await using var stream = File.OpenRead(path);
        await using var reader = await ParquetReader.CreateAsync(stream);
        var features = HfFeatures(reader.CustomMetadata, relativeName);
        var plans = ParquetColumnPlan.Build(reader.Schema, features, relativeName);
        var starts = new long[reader.RowGroupCount + 1];
        for (int g = 0; g < reader.RowGroupCount; g++)
        {
            using var rg = reader.OpenRowGroupReader(g);
            starts[g + 1] = starts[g] + rg.RowCount;
        }
        return new ParquetShard(path, relativeName, starts, plans);
    }

    /// <summary>The <c>info.features</c> of the <c>huggingface</c> key-value metadata, if any.</summary>
    static Dictionary<string, Feature> HfFeatures(IReadOnlyDictionary<string, string>? metadata, string file)
    {
        var result = new Dictionary<string, Feature>(StringComparer.Ordinal);
        if (metadata is null || !metadata.TryGetValue("huggingface", out string? json)) return result;
        JsonNode? root;
        try { root = JsonNode.Parse(json); }
        catch (System.Text.Json.JsonException e) { throw new InvalidDataException($"{file}: 'huggingface' metadata is not JSON: {e.Message}", e); }
        if (root?["info"]?["features"] is JsonObject features)
            foreach (var (name, node) in features) result[name] = Feature.FromJson(node);
        return result;
    }

    /// <summary>Decodes row group <paramref name="group"/> into rows of values (column order of <see cref="Columns"/>).</summary>
    public object?[][] ReadGroup(int group, string baseDir)
    {
        try
        {
            return ReadGroupAsync(group, baseDir).GetAwaiter().GetResult();
        }
        catch (Exception e) when (e is not InvalidDataException and not NotSupportedException)
        {
            throw new InvalidDataException($"{RelativeName}: cannot decode row group {group}: {e.Message}", e);
        }
    }

    async Task<object?[][]> ReadGroupAsync(int group, string baseDir)
    {
        await using var stream = File.OpenRead(Path);
        await using var reader = await ParquetReader.CreateAsync(stream);
        using var rg = reader.OpenRowGroupReader(group);
        int rows = checked((int)rg.RowCount);
        var columns = new object?[Columns.Count][];
        for (int c = 0; c < Columns.Count; c++)
        {
            var plan = Columns[c];
            if (plan.IsList && plan.ImageBytes is { } listBytes)
                columns[c] = await ReadImageListsAsync(rg, listBytes, plan.ImagePath, rows, baseDir);
            else if (plan.Feature.IsImage && plan.ImageBytes is { } bytesField)
            {
                object?[] bytes = await ParquetColumns.ReadFlatAsync(rg, bytesField, rows);
                object?[] paths = plan.ImagePath is { } p ? await ParquetColumns.ReadFlatAsync(rg, p, rows) : new object?[rows];
                columns[c] = new object?[rows];
                for (int r = 0; r < rows; r++)
                    columns[c][r] = bytes[r] is null && paths[r] is null ? null : new ImageCell((byte[]?)bytes[r], (string?)paths[r], baseDir);
            }
            else if (plan.IsList)
                columns[c] = await ParquetColumns.ReadListsAsync(rg, plan.Leaf!, rows);
            else
                columns[c] = await ParquetColumns.ReadFlatAsync(rg, plan.Leaf!, rows);
        }
        var result = new object?[rows][];
        for (int r = 0; r < rows; r++)
        {
            result[r] = new object?[Columns.Count];
            for (int c = 0; c < Columns.Count; c++) result[r][c] = columns[c][r];
        }
        return result;
    }

    /// <summary>One list of image cells per row from the <c>bytes</c> and <c>path</c> leaves of a list of image structs.</summary>
    static async Task<object?[]> ReadImageListsAsync(ParquetRowGroupReader rg, DataField bytesField, DataField? pathField, int rows, string baseDir)
    {
        object?[] bytes = await ParquetColumns.ReadListsAsync(rg, bytesField, rows);
        object?[] paths = pathField is null ? new object?[rows] : await ParquetColumns.ReadListsAsync(rg, pathField, rows);
        var result = new object?[rows];
        for (int r = 0; r < rows; r++)
        {
            if (bytes[r] is null && paths[r] is null) continue;
            var b = bytes[r] as List<object?> ?? [];
            var p = paths[r] as List<object?> ?? [];
            // A list whose leaves are all null reads back empty; the other leaf then sets the length.
            result[r] = Enumerable.Range(0, Math.Max(b.Count, p.Count))
                .Select(i => (object?)new ImageCell(i < b.Count ? (byte[]?)b[i] : null, i < p.Count ? (string?)p[i] : null, baseDir))
                .ToList();
        }
        return result;
    }
}
