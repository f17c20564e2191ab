namespace VisionGrpo.MathVerify.Tests;

public class SmokeTests
{
    [Fact]
    public void AssemblyLoads() => Assert.Equal("VisionGrpo.MathVerify", typeof(MathVerifier).Assembly.GetName().Name);
}
