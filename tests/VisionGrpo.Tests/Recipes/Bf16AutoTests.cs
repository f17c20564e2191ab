using TorchSharp;
using VisionGrpo.Recipes;
using VisionGrpo.Tensors;

namespace VisionGrpo.Tests.Recipes;

/// <summary><c>bf16: auto</c> resolves from the device's bf16 speed; explicit values and the last assignment still win.</summary>
public sealed class Bf16AutoTests
{
    [Theory]
    [InlineData("auto")]
    [InlineData("AUTO")]
    public void AutoFollowsTheCpu(string value)
    {
        var config = RecipeLoader.Load(null, ["device=cpu", $"bf16={value}"]);
        Assert.Equal(TorchRuntime.HasFastBFloat16(torch.CPU), config.Bf16);
    }

    [Fact]
    public void TheLastAssignmentWins()
    {
        Assert.False(RecipeLoader.Load(null, ["device=cpu", "bf16=auto", "bf16=false"]).Bf16);
        Assert.True(RecipeLoader.Load(null, ["device=cpu", "bf16=auto", "bf16=true"]).Bf16);
        Assert.Equal(TorchRuntime.HasFastBFloat16(torch.CPU), RecipeLoader.Load(null, ["device=cpu", "bf16=false", "bf16=auto"]).Bf16);
    }

    [Fact]
    public void OtherWordsAreStillRejected()
    {
        var e = Assert.Throws<ConfigException>(() => RecipeLoader.Load(null, ["bf16=sometimes"]));
        Assert.Contains("'bf16'", e.Message);
    }
}
