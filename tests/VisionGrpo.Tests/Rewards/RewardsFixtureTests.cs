using System.Text.Json.Nodes;
using VisionGrpo.Rewards;

namespace VisionGrpo.Tests.Rewards;

public class RewardsFixtureTests(ITestOutputHelper output)
{
    static List<JsonObject> Rows() => File.ReadLines(Path.Combine(AppContext.BaseDirectory, "fixtures", "math_verify", "rewards_dev.jsonl"))
        .Select(l => JsonNode.Parse(l)!.AsObject()).ToList();

    [Fact]
    public void RecipeRewardsAgreeWithPythonOnRewardsDev()
    {
        var rows = Rows();
        var batch = new RewardBatch(rows.Select(_ => "").ToList(), rows.Select(r => r["completion"]!.GetValue<string>()).ToList(),
            new Dictionary<string, IReadOnlyList<object?>> { ["solution"] = rows.Select(r => (object?)r["gold"]!.GetValue<string>()).ToList() });
        var format = new FormatReward().Score(batch, TestContext.Current.CancellationToken);
        var accuracy = new AccuracyReward().Score(batch, TestContext.Current.CancellationToken);
        int formatAgree = 0, accuracyAgree = 0;
        for (int i = 0; i < rows.Count; i++)
        {
            if (format[i] == (float?)rows[i]["format_reward"]!.GetValue<double>()) formatAgree++;
            else output.WriteLine($"format DISAGREE {rows[i]["id"]}: expected {rows[i]["format_reward"]} actual {format[i]}");
            if (accuracy[i] == (float?)rows[i]["accuracy_reward"]!.GetValue<double>()) accuracyAgree++;
            else output.WriteLine($"accuracy DISAGREE {rows[i]["id"]} [{rows[i]["category"]}]: expected {rows[i]["accuracy_reward"]} actual {accuracy[i]}");
        }
        output.WriteLine($"format {formatAgree}/{rows.Count}, accuracy {accuracyAgree}/{rows.Count}");
        Assert.True(formatAgree >= rows.Count * 0.995, $"format agreement {formatAgree}/{rows.Count}");
        Assert.True(accuracyAgree >= rows.Count * 0.995, $"accuracy agreement {accuracyAgree}/{rows.Count}");
    }

    [Fact]
    public void GoldFromAnswerTagGradesTheLetterNotTheFirstNumber()
    {
        const string solution = "<think>Angle 2 = 180 - 74 = 106, which is option C.</think>\n\n<answer>C</answer>";
        const string completion = "<think>\nx\n</think>\n<answer>\n$C$\n</answer>";
        var ct = TestContext.Current.CancellationToken;
        Assert.Equal(0f, new AccuracyReward().ScoreOne(solution, completion, ct));        // recipe: gold is 180
        Assert.Equal(1f, new AccuracyReward(goldFromAnswerTag: true).ScoreOne(solution, completion, ct));
    }

    [Fact]
    public void UnparsableGoldFallsBackToTextComparison()
    {
        var ct = TestContext.Current.CancellationToken;
        Assert.Equal(1f, new AccuracyReward().ScoreOne("Yes", "  yes ", ct));
        Assert.Equal(0f, new AccuracyReward().ScoreOne("Yes", "no", ct));
    }

    [Fact]
    public void MissingSolutionColumnNamesTheColumn()
    {
        var batch = new RewardBatch(["p"], ["c"], new Dictionary<string, IReadOnlyList<object?>> { ["answer"] = ["1"] });
        var ex = Assert.Throws<KeyNotFoundException>(() => new AccuracyReward().Score(batch, TestContext.Current.CancellationToken));
        Assert.Contains("'solution'", ex.Message);
        Assert.Contains("answer", ex.Message);
    }

    [Fact]
    public void RegistryBuildsRewardsWithWeights()
    {
        var rewards = RewardRegistry.CreateAll("format, accuracy=0.5, accuracy_answer_tag");
        Assert.Equal(["format_reward", "accuracy_reward", "accuracy_answer_tag_reward"], rewards.Select(r => r.Name));
        Assert.Equal(0.5f, rewards[1].Weight);
        Assert.Throws<ArgumentException>(() => RewardRegistry.Create("speed"));
        Assert.IsType<ExternalProcessReward>(RewardRegistry.Create("cmd:cat"));
    }
}
