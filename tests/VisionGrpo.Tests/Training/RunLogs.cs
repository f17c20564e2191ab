using System.Text.Json.Nodes;

namespace VisionGrpo.Tests.Training;

/// <summary>Reading a run's logs back for comparison with another run's.</summary>
internal static class RunLogs
{
    // Wall-clock fields differ between runs by nature; everything else must match exactly.
    static readonly string[] TimingKeys = ["step_time", "train_runtime", "train_samples_per_second", "train_steps_per_second"];

    /// <summary>The entries of <c>metrics.jsonl</c> in <paramref name="dir"/>.</summary>
    public static List<JsonObject> MetricsLines(string dir) =>
        File.ReadAllLines(Path.Combine(dir, "metrics.jsonl")).Select(l => JsonNode.Parse(l)!.AsObject()).ToList();

    /// <summary>The <c>log_history</c> of <c>trainer_state.json</c> in <paramref name="dir"/>.</summary>
    public static List<JsonObject> LogHistory(string dir) =>
        JsonNode.Parse(File.ReadAllText(Path.Combine(dir, "trainer_state.json")))!["log_history"]!.AsArray().Select(e => e!.AsObject()).ToList();

    /// <summary>A log entry as JSON text without its timing fields.</summary>
    public static string WithoutTimings(JsonObject entry)
    {
        var copy = entry.DeepClone().AsObject();
        foreach (string key in TimingKeys) copy.Remove(key);
        return copy.ToJsonString();
    }
}
