using System.Globalization;
using System.Text;

namespace VisionGrpo.Data.Loading;

/// <summary>CSV with a header row (RFC 4180 quoting); columns whose every value is an integer or a number are typed so.</summary>
internal static class CsvLoader
{
    /// <summary>Loads <paramref name="files"/> (same header each) in order as one table.</summary>
    /// <exception cref="InvalidDataException">Headers differ, a row has the wrong number of fields, or quoting is unterminated.</exception>
    public static TableDataset Load(string name, string baseDir, IReadOnlyList<string> files, string? imageColumn = null)
    {
        List<string>? header = null;
        var cells = new List<string?[]>();
        var sources = new List<RowSource>();
        foreach (string file in files)
        {
            string rel = Path.GetRelativePath(baseDir, file);
            var records = Parse(File.ReadAllText(file), rel);
            if (records.Count == 0) continue;
            if (header is null) header = records[0];
            else if (!header.SequenceEqual(records[0]))
                throw new InvalidDataException($"{rel}: header ({string.Join(",", records[0])}) differs from the first file's ({string.Join(",", header)})");
            for (int r = 1; r < records.Count; r++)
            {
                if (records[r].Count != header.Count)
                    throw new InvalidDataException($"{rel}: row {r - 1} has {records[r].Count} fields, the header has {header.Count}");
                cells.Add(records[r].Select(v => v.Length == 0 ? null : v).ToArray());
                sources.Add(new RowSource(name, rel, r - 1));
            }
        }
        header ??= [];
        var kinds = header.Select((h, c) => ImageColumns.IsImage(h, imageColumn) ? "image" : Kind(cells.Select(row => row[c]))).ToList();
        var features = header.Select((h, c) => new KeyValuePair<string, Feature>(h,
            kinds[c] == "image" ? Feature.Image : new Feature("Value", kinds[c]))).ToList();
        var rows = cells.Select(row => row.Select((v, c) => Convert(v, kinds[c], baseDir)).ToArray()).ToList();
        return new TableDataset(name, features, rows, sources);
    }

    static string Kind(IEnumerable<string?> values)
    {
        var present = values.Where(v => v is not null).ToList();
        if (present.Count == 0) return "string";
        if (present.All(v => long.TryParse(v, NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out _))) return "int64";
        if (present.All(v => double.TryParse(v, NumberStyles.Float, CultureInfo.InvariantCulture, out _))) return "float64";
        if (present.All(v => v is "True" or "False" or "true" or "false")) return "bool";
        return "string";
    }

    static object? Convert(string? v, string kind, string baseDir) => v is null ? null : kind switch
    {
        "image" => ImageColumns.ToCell(v, baseDir),
        "int64" => long.Parse(v, NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture),
        "float64" => double.Parse(v, NumberStyles.Float, CultureInfo.InvariantCulture),
        "bool" => v is "True" or "true",
        _ => v,
    };

    /// <summary>Splits CSV text into records of fields; quoted fields may contain commas, quotes ("") and newlines.</summary>
    internal static List<List<string>> Parse(string text, string source)
    {
        var records = new List<List<string>>();
        var field = new StringBuilder();
        var record = new List<string>();
        bool quoted = false, any = false;
        for (int i = 0; i < text.Length; i++)
        {
            char c = text[i];
            if (quoted)
            {
                if (c == '"' && i + 1 < text.Length && text[i + 1] == '"') { field.Append('"'); i++; }
                else if (c == '"') quoted = false;
                else field.Append(c);
                continue;
            }
            switch (c)
            {
                case '"': quoted = true; any = true; break;
                case ',': record.Add(field.ToString()); field.Clear(); any = true; break;
                case '\r': break;
                case '\n':
                    if (any || field.Length > 0) { record.Add(field.ToString()); records.Add(record); }
                    record = []; field.Clear(); any = false;
                    break;
                default: field.Append(c); any = true; break;
            }
        }
        if (quoted) throw new InvalidDataException($"{source}: unterminated quoted field");
        if (any || field.Length > 0) { record.Add(field.ToString()); records.Add(record); }
        return records;
    }
}
