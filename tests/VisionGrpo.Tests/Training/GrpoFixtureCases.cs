using System.Text.Json.Nodes;

namespace VisionGrpo.Tests.Training;

/// <summary>Loads <c>fixtures/grpo/cases_dev.jsonl</c> (TRL 0.20.0 / 1.9.0 reference records).</summary>
internal static class GrpoFixtureCases
{
    static readonly Lazy<IReadOnlyDictionary<string, JsonObject>> Records = new(() =>
        File.ReadLines(Path.Combine(AppContext.BaseDirectory, "fixtures", "grpo", "cases_dev.jsonl"))
            .Where(l => !string.IsNullOrWhiteSpace(l))
            .Select(l => (JsonObject)JsonNode.Parse(l)!)
            .ToDictionary(r => r["case_id"]!.GetValue<string>()));

    public static JsonObject Get(string caseId) => (JsonObject)Records.Value[caseId].DeepClone();

    public static TheoryData<string> Ids(string kind)
    {
        var data = new TheoryData<string>();
        foreach (var (id, r) in Records.Value)
            if (r["kind"]!.GetValue<string>() == kind) data.Add(id);
        return data;
    }

    public static double Number(JsonNode? n) => n is JsonValue v && v.TryGetValue(out string? s)
        ? s switch { "NaN" => double.NaN, "Infinity" => double.PositiveInfinity, "-Infinity" => double.NegativeInfinity, _ => double.Parse(s) }
        : n is JsonValue w && w.TryGetValue(out long l) ? l
        : n!.GetValue<double>();

    public static double[] Flatten(JsonNode? n) => n is JsonArray a ? a.SelectMany(Flatten).ToArray() : new[] { Number(n) };

    /// <summary>Asserts |a − e| ≤ abs + rel·|e| element-wise (NaN matches NaN).</summary>
    public static void Close(double[] expected, double[] actual, double rel, double abs, string what)
    {
        Assert.True(expected.Length == actual.Length, $"{what}: {actual.Length} values, expected {expected.Length}");
        for (int i = 0; i < expected.Length; i++)
        {
            double e = expected[i], a = actual[i];
            if (double.IsNaN(e)) { Assert.True(double.IsNaN(a), $"{what}[{i}]: expected NaN, got {a}"); continue; }
            Assert.True(Math.Abs(a - e) <= abs + rel * Math.Abs(e), $"{what}[{i}]: expected {e:R}, got {a:R} (diff {a - e:E2})");
        }
    }
}
