using VisionGrpo.Rewards;

namespace VisionGrpo.Tests.Rewards;

public class FormatRewardTests
{
    [Theory]
    [InlineData("<think>\nreason\n</think>\n<answer>\n42\n</answer>", 1f)]
    [InlineData("<think>\nmulti\nline\n</think>\n<answer>\na\nb\n</answer>", 1f)]          // DOTALL: . crosses lines
    [InlineData("<think>\nr\n</think>\n<answer>\n42\n</answer>\ntrailing text", 1f)]     // MULTILINE: $ before \n
    [InlineData("<think>\nr\n</think>\n<answer>\n42\n</answer>\n", 1f)]
    [InlineData("x<think>\nr\n</think>\n<answer>\n42\n</answer>", 0f)]                   // re.match anchors at 0
    [InlineData("\n<think>\nr\n</think>\n<answer>\n42\n</answer>", 0f)]                  // ^ under MULTILINE would accept this
    [InlineData("<think>\nr\n</think>\n<answer>\n42\n</answer> tail", 0f)]
    [InlineData("<think>r</think><answer>42</answer>", 0f)]
    [InlineData("<think>\r\nr\r\n</think>\r\n<answer>\r\n42\r\n</answer>", 0f)]           // CRLF is not \n
    [InlineData("<THINK>\nr\n</THINK>\n<answer>\n42\n</answer>", 0f)]
    [InlineData("", 0f)]
    public void MatchesPythonReMatchSemantics(string completion, float expected) => Assert.Equal(expected, FormatReward.ScoreOne(completion));

    [Fact]
    public void ScoresABatchInOrder()
    {
        var batch = new RewardBatch(["p", "p"], ["<think>\na\n</think>\n<answer>\nb\n</answer>", "nope"]);
        Assert.Equal([1f, 0f], new FormatReward().Score(batch, TestContext.Current.CancellationToken));
        Assert.Equal("format_reward", new FormatReward().Name);
    }
}
