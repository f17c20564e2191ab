using System.Text.Json;
using System.Text.Json.Nodes;

namespace VisionGrpo.Cli;

/// <summary>Reads and writes JSON-lines files with errors that name the file and line.</summary>
internal static class JsonlFile
{
    /// <summary>All non-blank lines as JSON objects, with their 1-based line numbers.</summary>
    public static List<(int line, JsonObject row)> Read(string path)
    {
        if (!File.Exists(path)) throw new FileNotFoundException($"input file '{path}' does not exist", path);
        var rows = new List<(int, JsonObject)>();
        int n = 0;
        foreach (var text in File.ReadLines(path))
        {
            n++;
            if (string.IsNullOrWhiteSpace(text)) continue;
            JsonNode? node;
            try { node = JsonNode.Parse(text); }
            catch (JsonException ex) { throw new FormatException($"{path}:{n}: not valid JSON ({ex.Message})", ex); }
            if (node is not JsonObject o) throw new FormatException($"{path}:{n}: expected a JSON object per line");
            rows.Add((n, o));
        }
        return rows;
    }

    /// <summary>Writes one compact JSON object per line (creating the directory).</summary>
    public static void Write(string path, IEnumerable<JsonObject> rows)
    {
        var dir = Path.GetDirectoryName(Path.GetFullPath(path));
        if (!string.IsNullOrEmpty(dir)) Directory.CreateDirectory(dir);
        using var w = new StreamWriter(path);
        var options = new JsonSerializerOptions { Encoder = System.Text.Encodings.Web.JavaScriptEncoder.UnsafeRelaxedJsonEscaping };
        foreach (var r in rows) w.WriteLine(r.ToJsonString(options));
    }

    /// <summary>A required string field, or a <see cref="FormatException"/> naming file, line and field.</summary>
    public static string RequiredString(JsonObject row, string field, string path, int line, params string[] aliases)
    {
        foreach (var name in new[] { field }.Concat(aliases))
            if (row[name] is JsonValue v && v.TryGetValue<string>(out var s)) return s;
        throw new FormatException($"{path}:{line}: missing string field '{field}'" + (aliases.Length > 0 ? $" (or {string.Join(", ", aliases)})" : ""));
    }
}
