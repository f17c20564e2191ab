using System.Text.Json.Nodes;
using VisionGrpo.Parity.Grpo;

namespace VisionGrpo.Tests.Training;

/// <summary>Every record of the TRL fixture reproduced through <see cref="GrpoComputeRunner"/> (what <c>grpo compute</c> runs).</summary>
public class GrpoFixtureTests
{
    public static TheoryData<string> AdvantageCases => GrpoFixtureCases.Ids("advantages");
    public static TheoryData<string> LossCases => GrpoFixtureCases.Ids("loss");

    [Theory]
    [MemberData(nameof(AdvantageCases))]
    public void AdvantageRecordMatchesTrl(string caseId)
    {
        var record = GrpoFixtureCases.Get(caseId);
        var result = GrpoComputeRunner.Run(record, caseId);
        if (record["error"] is not null)
        {
            // TRL 0.20 crashed on this record; we must not, and must say why we deviated.
            Assert.NotNull(result["outputs"]);
            Assert.Contains(result["warnings"]!.AsArray(), w => w!.GetValue<string>().Contains("None"));
            return;
        }
        Assert.Null(result["error"]);
        var expected = record["outputs"]!;
        var actual = result["outputs"]!;
        GrpoFixtureCases.Close(GrpoFixtureCases.Flatten(expected["advantages"]), GrpoFixtureCases.Flatten(actual["advantages"]), 0, 1e-6, "advantages");
        Assert.Equal(expected["completion_mask"]!.ToJsonString(), actual["completion_mask"]!.ToJsonString());
        AssertMetrics(expected["metrics"]!.AsObject(), actual["metrics"]!.AsObject(), 1e-6);
        AssertEffective(expected["effective_hp"]!, actual["effective_hp"]!);
        foreach (var (key, value) in expected["trl_locals"]!.AsObject())
        {
            if (key == "is_std_zero") Assert.Equal(value!.ToJsonString(), actual["trl_locals"]![key]!.ToJsonString());
            else GrpoFixtureCases.Close(GrpoFixtureCases.Flatten(value), GrpoFixtureCases.Flatten(actual["trl_locals"]![key]), 0, 1e-6, key);
        }
        if (expected["num_items_in_batch"] is { } items)
            Assert.Equal(GrpoFixtureCases.Number(items), GrpoFixtureCases.Number(actual["num_items_in_batch"]));
    }

    [Theory]
    [MemberData(nameof(LossCases))]
    public void LossRecordMatchesTrl(string caseId)
    {
        var record = GrpoFixtureCases.Get(caseId);
        var result = GrpoComputeRunner.Run(record, caseId);
        Assert.True(result["error"] is null, result["error"]?.ToJsonString());
        var expected = record["outputs"]!;
        var actual = result["outputs"]!;
        GrpoFixtureCases.Close(new[] { GrpoFixtureCases.Number(expected["loss"]) }, new[] { GrpoFixtureCases.Number(actual["loss"]) }, 1e-9, 1e-15, "loss");
        GrpoFixtureCases.Close(GrpoFixtureCases.Flatten(expected["grad_per_token_logps"]), GrpoFixtureCases.Flatten(actual["grad_per_token_logps"]), 1e-9, 1e-15, "grad_per_token_logps");
        GrpoFixtureCases.Close(GrpoFixtureCases.Flatten(expected["grad_logits"]), GrpoFixtureCases.Flatten(actual["grad_logits"]), 1e-9, 1e-15, "grad_logits");
        GrpoFixtureCases.Close(GrpoFixtureCases.Flatten(expected["per_token_logps"]), GrpoFixtureCases.Flatten(actual["per_token_logps"]), 1e-12, 1e-14, "per_token_logps");
        GrpoFixtureCases.Close(GrpoFixtureCases.Flatten(expected["entropies"]), GrpoFixtureCases.Flatten(actual["entropies"]), 1e-12, 1e-14, "entropies");
        Assert.Equal(GrpoFixtureCases.Number(expected["trainer_loss_divisor"]), GrpoFixtureCases.Number(actual["trainer_loss_divisor"]));
        AssertEffective(expected["effective_hp"]!, actual["effective_hp"]!);
        AssertMetrics(expected["metrics"]!.AsObject(), actual["metrics"]!.AsObject(), 1e-6);
    }

    [Fact]
    public void LossFromLogitsAloneMatchesFixtureInput()
    {
        // Held-out records may carry only the logits: the loss must come out the same from them.
        var record = GrpoFixtureCases.Get("dev-loss-017@v1.9.0");
        var expected = record["outputs"]!.DeepClone();
        record.Remove("outputs");
        var result = GrpoComputeRunner.Run(record, "logits only");
        Assert.True(result["error"] is null, result["error"]?.ToJsonString());
        GrpoFixtureCases.Close(new[] { GrpoFixtureCases.Number(expected["loss"]) }, new[] { GrpoFixtureCases.Number(result["outputs"]!["loss"]) }, 1e-9, 1e-15, "loss");
        GrpoFixtureCases.Close(GrpoFixtureCases.Flatten(expected["grad_per_token_logps"]), GrpoFixtureCases.Flatten(result["outputs"]!["grad_per_token_logps"]), 1e-9, 1e-15, "grad");
    }

    /// <summary>The effective hyper-parameters match TRL's (numbers by value, the rest by JSON text).</summary>
    static void AssertEffective(JsonNode expected, JsonNode actual)
    {
        foreach (var (key, value) in expected.AsObject())
        {
            var mine = actual[key];
            if (value is JsonValue v && v.TryGetValue(out double d))
                Assert.Equal(d, GrpoFixtureCases.Number(mine));
            else if (value is JsonArray)
                Assert.Equal(GrpoFixtureCases.Flatten(value), GrpoFixtureCases.Flatten(mine));
            else
                Assert.True(value?.ToJsonString() == mine?.ToJsonString(), $"effective_hp.{key}: {value?.ToJsonString()} vs {mine?.ToJsonString()}");
        }
    }

    static void AssertMetrics(JsonObject expected, JsonObject actual, double tolerance)
    {
        Assert.Equal(expected.Select(kv => kv.Key).OrderBy(k => k, StringComparer.Ordinal), actual.Select(kv => kv.Key).OrderBy(k => k, StringComparer.Ordinal));
        foreach (var (key, value) in expected)
            GrpoFixtureCases.Close(new[] { GrpoFixtureCases.Number(value) }, new[] { GrpoFixtureCases.Number(actual[key]) }, 0, tolerance, $"metrics[{key}]");
    }
}

/// <summary>Damaged records must come back as a per-record error (or a result), never as an exception.</summary>
public class GrpoComputeRobustnessTests
{
    public static TheoryData<string> SomeCases => new() { "dev-adv-002@v1.9.0", "dev-adv-009@v0.20.0", "dev-loss-004@v0.20.0", "dev-loss-014@v1.9.0" };

    [Theory]
    [MemberData(nameof(SomeCases))]
    public void MissingOrMangledFieldsNeverThrow(string caseId)
    {
        var original = GrpoFixtureCases.Get(caseId);
        var mutations = new List<JsonObject>();
        foreach (var (key, _) in original["inputs"]!.AsObject())
        {
            var removed = GrpoFixtureCases.Get(caseId);
            removed.Remove("outputs");
            removed["inputs"]!.AsObject().Remove(key);
            mutations.Add(removed);
            var mangled = GrpoFixtureCases.Get(caseId);
            mangled.Remove("outputs");
            mangled["inputs"]![key] = "garbage";
            mutations.Add(mangled);
        }
        foreach (var hp in new[] { "num_generations", "loss_type", "scale_rewards", "epsilon", "reward_weights" })
        {
            var bad = GrpoFixtureCases.Get(caseId);
            bad["hyperparameters"]![hp] = hp == "reward_weights" ? new JsonArray(1, 2, 3, 4, 5) : "??";
            mutations.Add(bad);
        }
        var noVersion = GrpoFixtureCases.Get(caseId);
        noVersion.Remove("trl_version");
        mutations.Add(noVersion);

        foreach (var record in mutations)
        {
            var result = GrpoComputeRunner.Run(record, caseId);
            Assert.True(result["outputs"] is not null || result["error"]?["message"] is not null, result.ToJsonString());
        }
    }
}
