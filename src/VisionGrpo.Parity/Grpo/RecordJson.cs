using System.Globalization;
using System.Text.Json.Nodes;

namespace VisionGrpo.Parity.Grpo;

/// <summary>
/// JSON helpers for the GRPO fixture format: numbers may be the strings "NaN", "Infinity", "-Infinity"; field
/// errors name the JSON path.
/// </summary>
internal static class RecordJson
{
    public static double ToDouble(JsonNode? node, string path)
    {
        if (node is JsonValue v)
        {
            if (v.TryGetValue(out double d)) return d;
            if (v.TryGetValue(out long l)) return l;
            if (v.TryGetValue(out int i)) return i;
            if (v.TryGetValue(out bool b)) return b ? 1 : 0;
            if (v.TryGetValue(out string? s))
            {
                switch (s)
                {
                    case "NaN": return double.NaN;
                    case "Infinity": return double.PositiveInfinity;
                    case "-Infinity": return double.NegativeInfinity;
                }
                if (double.TryParse(s, NumberStyles.Float, CultureInfo.InvariantCulture, out d)) return d;
            }
        }
        throw new FormatException($"{path}: expected a number, got {node?.ToJsonString() ?? "null"}.");
    }

    public static double? ToNullableDouble(JsonNode? node, string path) => node is null ? null : ToDouble(node, path);

    public static JsonArray Array(JsonNode? node, string path) =>
        node as JsonArray ?? throw new FormatException($"{path}: expected an array, got {node?.ToJsonString() ?? "null"}.");

    public static double[] Doubles(JsonNode? node, string path)
    {
        var a = Array(node, path);
        return a.Select((x, i) => ToDouble(x, $"{path}[{i}]")).ToArray();
    }

    public static int[] Ints(JsonNode? node, string path) =>
        Doubles(node, path).Select((x, i) => x == Math.Floor(x) && Math.Abs(x) < int.MaxValue
            ? (int)x : throw new FormatException($"{path}[{i}]: {x} is not an integer.")).ToArray();

    public static int[][] IntRows(JsonNode? node, string path)
    {
        var a = Array(node, path);
        return a.Select((row, i) => Ints(row, $"{path}[{i}]")).ToArray();
    }

    public static double[][] DoubleRows(JsonNode? node, string path)
    {
        var a = Array(node, path);
        return a.Select((row, i) => Doubles(row, $"{path}[{i}]")).ToArray();
    }

    /// <summary>A [B][L][V] array flattened row-major, with its shape; rows must be rectangular.</summary>
    public static (double[] Data, long[] Shape) Cube(JsonNode? node, string path)
    {
        var outer = Array(node, path);
        var rows = outer.Select((m, i) => DoubleRows(m, $"{path}[{i}]")).ToArray();
        long l = rows.Length == 0 ? 0 : rows[0].Length, v = l == 0 ? 0 : rows[0][0].Length;
        var data = new List<double>();
        for (int i = 0; i < rows.Length; i++)
        {
            if (rows[i].Length != l) throw new FormatException($"{path}[{i}]: {rows[i].Length} positions, expected {l}.");
            for (int j = 0; j < rows[i].Length; j++)
            {
                if (rows[i][j].Length != v) throw new FormatException($"{path}[{i}][{j}]: {rows[i][j].Length} values, expected {v}.");
                data.AddRange(rows[i][j]);
            }
        }
        return (data.ToArray(), new[] { (long)rows.Length, l, v });
    }

    /// <summary>A rectangular matrix flattened row-major.</summary>
    public static (double[] Data, long[] Shape) Matrix(JsonNode? node, string path)
    {
        var rows = DoubleRows(node, path);
        int width = rows.Length == 0 ? 0 : rows[0].Length;
        for (int i = 0; i < rows.Length; i++)
            if (rows[i].Length != width) throw new FormatException($"{path}[{i}]: {rows[i].Length} values, expected {width}.");
        return (rows.SelectMany(r => r).ToArray(), new long[] { rows.Length, width });
    }

    /// <summary>A number node; non-finite values become TRL's strings.</summary>
    public static JsonNode Number(double x) =>
        double.IsNaN(x) ? JsonValue.Create("NaN")
        : double.IsPositiveInfinity(x) ? JsonValue.Create("Infinity")
        : double.IsNegativeInfinity(x) ? JsonValue.Create("-Infinity")
        : JsonValue.Create(x);

    public static JsonArray Numbers(IEnumerable<double> xs) => new(xs.Select(x => (JsonNode?)Number(x)).ToArray());

    public static JsonArray NumberRows(double[] data, long width)
    {
        var rows = new JsonArray();
        for (long i = 0; i * width < data.Length && width > 0; i++)
            rows.Add(Numbers(data.Skip((int)(i * width)).Take((int)width)));
        return rows;
    }

    public static JsonArray IntMatrix(IEnumerable<int[]> rows) =>
        new(rows.Select(r => (JsonNode?)new JsonArray(r.Select(x => (JsonNode?)JsonValue.Create(x)).ToArray())).ToArray());

    public static JsonObject Metrics(IEnumerable<KeyValuePair<string, double>> metrics)
    {
        var o = new JsonObject();
        foreach (var (k, v) in metrics) o[k] = Number(v);
        return o;
    }
}
