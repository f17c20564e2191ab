using VisionGrpo.Rewards;

namespace VisionGrpo.Tests.Rewards;

public class ExternalProcessRewardTests
{
    static string Script(string body)
    {
        var path = Path.Combine(Path.GetTempPath(), $"vg_reward_{Guid.NewGuid():N}.sh");
        File.WriteAllText(path, "#!/bin/sh\n" + body + "\n");
        return path;
    }

    static RewardBatch Batch(params string[] completions) =>
        new(completions.Select(_ => "prompt").ToList(), completions, new Dictionary<string, IReadOnlyList<object?>> { ["solution"] = completions.Select(_ => (object?)"x").ToList() });

    [Fact]
    public void ExchangesJsonLinesWithALongLivedProcess()
    {
        if (OperatingSystem.IsWindows()) return;
        // Reward = number of completions in the request, answered per line; the process keeps running between batches.
        var script = Script("""
            n=0
            while IFS= read -r line; do
              n=$((n+1))
              count=$(printf '%s' "$line" | grep -o '"completions":\[[^]]*\]' | grep -o '","\|\["' | wc -l)
              out=""
              i=0
              while [ $i -lt $count ]; do out="$out${out:+,}$n"; i=$((i+1)); done
              echo "{\"rewards\":[$out]}"
            done
            """);
        using var reward = new ExternalProcessReward($"sh {script}", name: "ext");
        var ct = TestContext.Current.CancellationToken;
        Assert.Equal([1f, 1f], reward.Score(Batch("a", "b"), ct));
        Assert.Equal([2f], reward.Score(Batch("c"), ct));
        Assert.Equal("ext", reward.Name);
    }

    [Fact]
    public void NullMeansNoReward()
    {
        if (OperatingSystem.IsWindows()) return;
        using var reward = new ExternalProcessReward("while read -r l; do echo '[0.5, null]'; done");
        Assert.Equal([0.5f, null], reward.Score(Batch("a", "b"), TestContext.Current.CancellationToken));
    }

    [Fact]
    public void CrashIsAnErrorNamingTheCommand()
    {
        if (OperatingSystem.IsWindows()) return;
        using var reward = new ExternalProcessReward("read -r l; echo boom >&2; exit 3");
        var ex = Assert.Throws<RewardProcessException>(() => reward.Score(Batch("a"), TestContext.Current.CancellationToken));
        Assert.Contains("read -r l; echo boom >&2; exit 3", ex.Message);
        Assert.Contains("exited with code 3", ex.Message);
    }

    [Fact]
    public void TimeoutIsAnErrorNamingTheCommand()
    {
        if (OperatingSystem.IsWindows()) return;
        using var reward = new ExternalProcessReward("sleep 30", timeout: TimeSpan.FromMilliseconds(300));
        var ex = Assert.Throws<RewardProcessException>(() => reward.Score(Batch("a"), TestContext.Current.CancellationToken));
        Assert.Contains("sleep 30", ex.Message);
        Assert.Contains("did not answer", ex.Message);
    }

    [Fact]
    public void WrongCountIsAnError()
    {
        if (OperatingSystem.IsWindows()) return;
        using var reward = new ExternalProcessReward("while read -r l; do echo '{\"rewards\":[1]}'; done");
        var ex = Assert.Throws<RewardProcessException>(() => reward.Score(Batch("a", "b"), TestContext.Current.CancellationToken));
        Assert.Contains("1 rewards for 2 completions", ex.Message);
    }
}
