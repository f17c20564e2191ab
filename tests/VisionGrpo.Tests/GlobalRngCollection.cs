using Xunit;

namespace VisionGrpo.Tests;

/// <summary>
/// Tests that reseed torch's process-wide generator and compare runs bit for bit (trainer determinism and resume):
/// they run alone, so no parallel test class draws from that generator in between.
/// </summary>
[CollectionDefinition(Name, DisableParallelization = true)]
public sealed class GlobalRngCollection
{
    public const string Name = "torch global RNG";
}
