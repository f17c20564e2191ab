using System.Text.Json;
using System.Text.Json.Nodes;

namespace VisionGrpo.Data.Loading;

/// <summary>JSON Lines (and JSON arrays of objects): one object per row; an image-path column becomes an <c>Image</c>.</summary>
internal static class JsonlLoader
{
    /// <summary>Loads <paramref name="files"/> in order as one table.</summary>
    /// <param name="name">Dataset name for messages.</param>
    /// <param name="baseDir">Folder that image paths resolve in (and shard names are relative to).</param>
    /// <param name="files">JSONL/JSON files.</param>
    /// <param name="imageColumn">The image-path column (a path, or a list of paths for a multi-image row); default: image, image_path, file_name, images.</param>
    /// <exception cref="InvalidDataException">A line that is not a JSON object (message names file and line).</exception>
    public static TableDataset Load(string name, string baseDir, IReadOnlyList<string> files, string? imageColumn = null)
    {
        var columns = new List<string>();
        var objects = new List<(JsonObject Obj, RowSource Source)>();
        foreach (string file in files)
        {
            string rel = Path.GetRelativePath(baseDir, file);
            long row = 0;
            foreach (var (obj, line) in Objects(file, rel))
            {
                foreach (var (k, _) in obj) if (!columns.Contains(k)) columns.Add(k);
                objects.Add((obj, new RowSource(name, rel, row++)));
            }
        }
        var rows = objects.Select(o => columns.Select(c =>
        {
            object? v = ToValue(o.Obj[c]);
            return ImageColumns.IsImage(c, imageColumn) ? ImageColumns.ToCell(v, baseDir) : v;
        }).ToArray()).ToList();
        var features = columns.Select((c, i) => new KeyValuePair<string, Feature>(c, ImageColumns.IsImage(c, imageColumn)
            ? ImageColumns.FeatureOf(rows.Select(r => r[i])) : InferFeature(objects.Select(o => o.Obj[c])))).ToList();
        return new TableDataset(name, features, rows, objects.Select(o => o.Source).ToList());
    }

    static IEnumerable<(JsonObject, long)> Objects(string file, string rel)
    {
        if (file.EndsWith(".json", StringComparison.OrdinalIgnoreCase))
        {
            JsonNode? root;
            try { root = JsonNode.Parse(File.ReadAllText(file)); }
            catch (JsonException e) { throw new InvalidDataException($"{rel}: invalid JSON: {e.Message}", e); }
            if (root is JsonArray arr)
            {
                long i = 0;
                foreach (var n in arr) yield return (n as JsonObject ?? throw new InvalidDataException($"{rel}: item {i} is not an object"), i++);
                yield break;
            }
        }
        long lineNo = 0;
        foreach (string line in File.ReadLines(file))
        {
            lineNo++;
            if (string.IsNullOrWhiteSpace(line)) continue;
            JsonNode? node;
            try { node = JsonNode.Parse(line); }
            catch (JsonException e) { throw new InvalidDataException($"{rel}: line {lineNo}: invalid JSON: {e.Message}", e); }
            yield return (node as JsonObject ?? throw new InvalidDataException($"{rel}: line {lineNo}: expected a JSON object"), lineNo);
        }
    }

    static object? ToValue(JsonNode? n) => n switch
    {
        null => null,
        JsonArray a => a.Select(ToValue).ToList(),
        JsonObject o => o.ToJsonString(),
        JsonValue v when v.TryGetValue(out string? s) => s,
        JsonValue v when v.TryGetValue(out bool b) => b,
        JsonValue v when v.TryGetValue(out long l) => l,
        JsonValue v when v.TryGetValue(out double d) => d,
        _ => n.ToJsonString(),
    };

    static Feature InferFeature(IEnumerable<JsonNode?> values)
    {
        var kinds = values.Where(v => v is not null).Select(v => v switch
        {
            JsonArray => "list",
            JsonValue x when x.GetValueKind() == JsonValueKind.String => "string",
            JsonValue x when x.GetValueKind() is JsonValueKind.True or JsonValueKind.False => "bool",
            JsonValue x when x.TryGetValue(out long _) => "int64",
            JsonValue => "float64",
            _ => "string",
        }).Distinct().ToList();
        if (kinds.Count == 0) return new Feature("Value", "null");
        if (kinds.Count == 2 && kinds.Contains("int64") && kinds.Contains("float64")) return new Feature("Value", "float64");
        if (kinds.Count > 1) return Feature.String;
        return kinds[0] == "list" ? new Feature("List", Item: new Feature("Value", "unknown")) : new Feature("Value", kinds[0]);
    }
}
