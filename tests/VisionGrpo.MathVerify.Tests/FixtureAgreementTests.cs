using System.Text.Json.Nodes;
using VisionGrpo.Parity.MathVerify;

namespace VisionGrpo.MathVerify.Tests;

public class FixtureAgreementTests(ITestOutputHelper output)
{
    static string FixturePath(string name) => Path.Combine(AppContext.BaseDirectory, "fixtures", "math_verify", name);

    [Fact]
    public void DevCorpusAgreesWithReference()
    {
        var rows = File.ReadLines(FixturePath("dev.jsonl")).Select(l => JsonNode.Parse(l)!.AsObject()).ToList();
        int agree = 0;
        foreach (var row in rows)
        {
            JsonNode? actual;
            try { actual = FixtureRowEvaluator.Evaluate(row); }
            catch (Exception ex) { actual = "error: " + ex.GetType().Name + ": " + ex.Message; }
            if (FixtureRowEvaluator.Agrees(row, actual)) agree++;
            else output.WriteLine($"DISAGREE [{row["kind"]}] {row["source"]}#{row["case_index"]}: gold={row["gold"]?.ToJsonString()} pred={row["pred"]?.ToJsonString()} expected={row["expected"]?.ToJsonString()} actual={actual?.ToJsonString()}");
        }
        double rate = (double)agree / rows.Count;
        output.WriteLine($"agreement {agree}/{rows.Count} = {rate:P2}");
        Assert.True(rate >= 0.995, $"agreement {agree}/{rows.Count} = {rate:P2} < 99.5 %");
    }
}

public class RecipeAccuracyAgreementTests(ITestOutputHelper output)
{
    [Fact]
    public void RewardsCorpusAccuracyAgreesWithReference()
    {
        var path = Path.Combine(AppContext.BaseDirectory, "fixtures", "math_verify", "rewards_dev.jsonl");
        var rows = File.ReadLines(path).Select(l => JsonNode.Parse(l)!.AsObject()).ToList();
        int agree = 0;
        var sw = System.Diagnostics.Stopwatch.StartNew();
        foreach (var row in rows)
        {
            var actual = RecipeAccuracy.Score(row["gold"]!.GetValue<string>(), row["completion"]!.GetValue<string>(), cancellationToken: TestContext.Current.CancellationToken);
            var expected = row["accuracy_reward"]?.GetValue<double>();
            if (expected == actual) agree++;
            else output.WriteLine($"DISAGREE [{row["category"]}] id={row["id"]} expected={expected} actual={actual}\n  gold={row["gold"]!.ToJsonString()}\n  completion={row["completion"]!.ToJsonString()[..Math.Min(400, row["completion"]!.ToJsonString().Length)]}");
        }
        output.WriteLine($"accuracy agreement {agree}/{rows.Count} in {sw.Elapsed.TotalSeconds:F1}s");
        Assert.True(agree >= rows.Count * 0.995, $"accuracy agreement {agree}/{rows.Count}");
    }
}
