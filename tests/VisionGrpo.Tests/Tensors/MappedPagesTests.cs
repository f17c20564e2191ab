using TorchSharp;
using VisionGrpo.Tensors;
using static TorchSharp.torch;

namespace VisionGrpo.Tests.Tensors;

/// <summary>Copies out of a mapping release its pages; reading them again must fault in the same bytes.</summary>
public class MappedPagesTests
{
    public MappedPagesTests() => TorchRuntime.EnsureInitialized();

    [Fact]
    public void ReleasedPagesReadBackUnchanged()
    {
        using var dir = new TempDir();
        using var scope = NewDisposeScope();
        var gen = torch.manual_seed(11);
        // Odd sizes so tensors share pages with their neighbours; the middle one spans many pages.
        var small = torch.randn(new long[] { 3, 7 }, generator: gen);
        var large = torch.randn(new long[] { 301, 1003 }, generator: gen);
        var tail = torch.randn(new long[] { 5 }, generator: gen);
        string path = dir.File("w.safetensors");
        SafetensorsWriter.Save(path, [KeyValuePair.Create("a", small), KeyValuePair.Create("b", large), KeyValuePair.Create("c", tail)]);
        using var file = SafetensorsFile.Open(path);
        for (int pass = 0; pass < 2; pass++)
        {
            Assert.True(SafetensorsTestFiles.SameBits(large, file.Load("b")));
            Assert.True(SafetensorsTestFiles.SameBits(small, file.Load("a")));
            Assert.True(SafetensorsTestFiles.SameBits(tail, file.Load("c")));
            Assert.True(SafetensorsTestFiles.SameBits(large.to(ScalarType.BFloat16), file.Load("b", ScalarType.BFloat16)));
        }
    }
}
