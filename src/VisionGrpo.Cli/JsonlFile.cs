using System.Text.Json;
using System.Text.Json.Nodes;

namespace VisionGrpo.Cli;

/// <summary>Reads and writes JSON-lines files with errors that name the file and line.</summary>
internal static class JsonlFile
{
    /// <summary>All non-blank lines as JSON objects, with their 1-based line numbers; the first bad line throws.</summary>
    public static List<(int line, JsonObject row)> Read(string path)
    {
        var rows = new List<(int, JsonObject)>();
        foreach (var r in ReadLines(path))
            rows.Add((r.Line, r.Row ?? throw new FormatException($"{path}:{r.Line}: {r.Error}")));
        return rows;
    }

    /// <summary>
    /// All non-blank lines, each either a JSON object or (for a line that is not one) the raw text and why, so that a
    /// batch command can report the bad line in its output and go on with the others.
    /// </summary>
    public static List<JsonlLine> ReadLines(string path)
    {
        if (!File.Exists(path)) throw new FileNotFoundException($"input file '{path}' does not exist", path);
        var rows = new List<JsonlLine>();
        int n = 0;
        foreach (var text in File.ReadLines(path))
        {
            n++;
            if (string.IsNullOrWhiteSpace(text)) continue;
            JsonNode? node;
            try { node = JsonNode.Parse(text); }
            catch (JsonException ex) { rows.Add(new JsonlLine(n, null, text, $"not valid JSON ({ex.Message})")); continue; }
            rows.Add(node is JsonObject o ? new JsonlLine(n, o, text, null) : new JsonlLine(n, null, text, "expected a JSON object per line"));
        }
        return rows;
    }

    /// <summary>
    /// The output row for a line of <see cref="ReadLines"/>: a copy of the object, or for a bad line
    /// <c>{"line": n, "raw": text}</c>, so that no input is lost.
    /// </summary>
    public static JsonObject OutputRow(JsonlLine line) =>
        line.Row is { } o ? (JsonObject)o.DeepClone() : new JsonObject { ["line"] = line.Line, ["raw"] = line.Raw };

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
    public static string RequiredString(JsonObject row, string field, string path, int line, params string[] aliases) =>
        TryGetString(row, out var s, [field, .. aliases]) ? s!
            : throw new FormatException($"{path}:{line}: missing string field '{field}'" + (aliases.Length > 0 ? $" (or {string.Join(", ", aliases)})" : ""));

    /// <summary>The first of <paramref name="names"/> that holds a string.</summary>
    public static bool TryGetString(JsonObject row, out string? value, params string[] names)
    {
        foreach (var name in names)
            if (row[name] is JsonValue v && v.TryGetValue<string>(out value)) return true;
        value = null;
        return false;
    }
}

/// <summary>One non-blank line of a JSON-lines file: the object, or the raw text and what is wrong with it.</summary>
/// <param name="Line">1-based line number.</param>
/// <param name="Row">The parsed object; null when the line is not a JSON object.</param>
/// <param name="Raw">The line's text.</param>
/// <param name="Error">Why the line is not a row; null for a good line.</param>
internal sealed record JsonlLine(int Line, JsonObject? Row, string Raw, string? Error);
