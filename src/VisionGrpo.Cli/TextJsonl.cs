using System.Text;
using System.Text.Encodings.Web;
using System.Text.Json;

namespace VisionGrpo.Cli;

/// <summary>
/// JSON-lines rows for the text verbs: each input row is copied to the output with computed fields added; a row
/// that fails gets an <c>"error"</c> field, the remaining rows still run, and the verb fails at the end naming the
/// first bad row.
/// </summary>
internal static class TextJsonl
{
    static readonly JsonWriterOptions WriterOptions = new() { Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping };

    /// <summary>Runs <paramref name="compute"/> on every non-empty line of <paramref name="inputPath"/> and writes
    /// the input row plus the returned fields to <paramref name="output"/>.</summary>
    public static void Transform(string inputPath, TextWriter output, Action<JsonElement, Utf8JsonWriter> compute, IReadOnlySet<string> replacedFields)
    {
        if (!File.Exists(inputPath)) throw new FileNotFoundException($"Input file '{inputPath}' does not exist.", inputPath);
        int lineNumber = 0, failures = 0, rows = 0;
        string? firstError = null;
        foreach (var line in File.ReadLines(inputPath))
        {
            lineNumber++;
            if (string.IsNullOrWhiteSpace(line)) continue;
            rows++;
            JsonDocument doc;
            try
            {
                doc = JsonDocument.Parse(line);
            }
            catch (JsonException e)
            {
                throw new InvalidDataException($"{inputPath} line {lineNumber}: not valid JSON ({e.Message})", e);
            }
            using (doc)
            {
                if (doc.RootElement.ValueKind != JsonValueKind.Object)
                    throw new InvalidDataException($"{inputPath} line {lineNumber}: expected a JSON object per line.");
                string? error = null;
                byte[] computed;
                try
                {
                    computed = Compute(doc.RootElement, compute);
                }
                catch (Exception e) when (e is not OutOfMemoryException)
                {
                    error = e.Message;
                    computed = [];
                    failures++;
                    firstError ??= $"{inputPath} line {lineNumber}: {e.Message}";
                }
                output.WriteLine(WriteRow(doc.RootElement, computed, error, replacedFields));
            }
        }
        output.Flush();
        if (failures > 0)
            throw new InvalidDataException($"{failures} of {rows} row(s) failed (their output rows carry an \"error\" field); first: {firstError}");
    }

    static byte[] Compute(JsonElement row, Action<JsonElement, Utf8JsonWriter> compute)
    {
        using var buffer = new MemoryStream();
        using (var writer = new Utf8JsonWriter(buffer, WriterOptions))
        {
            writer.WriteStartObject();
            compute(row, writer);
            writer.WriteEndObject();
        }
        return buffer.ToArray();
    }

    static string WriteRow(JsonElement input, byte[] computed, string? error, IReadOnlySet<string> replacedFields)
    {
        using var buffer = new MemoryStream();
        using (var writer = new Utf8JsonWriter(buffer, WriterOptions))
        {
            writer.WriteStartObject();
            foreach (var p in input.EnumerateObject())
                if (!replacedFields.Contains(p.Name) && p.Name != "error") p.WriteTo(writer);
            if (computed.Length > 0)
                foreach (var p in JsonDocument.Parse(computed).RootElement.EnumerateObject()) p.WriteTo(writer);
            if (error is not null) writer.WriteString("error", error);
            writer.WriteEndObject();
        }
        return Encoding.UTF8.GetString(buffer.ToArray());
    }

    /// <summary>Writes to the file, or to stdout when <paramref name="path"/> is null.</summary>
    public static TextWriter OpenOutput(string? path)
    {
        if (path is null) return new StreamWriter(Console.OpenStandardOutput(), new UTF8Encoding(false)) { AutoFlush = false };
        string? dir = Path.GetDirectoryName(Path.GetFullPath(path));
        if (dir is not null) Directory.CreateDirectory(dir);
        return new StreamWriter(path, false, new UTF8Encoding(false));
    }
}
