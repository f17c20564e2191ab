using TorchSharp;
using VisionGrpo.Tensors;
using static TorchSharp.torch;
using PyBridge = TorchSharp.PyBridge.Safetensors;

namespace VisionGrpo.Tests.Tensors;

/// <summary>TorchSharp.PyBridge's independent safetensors code as an oracle, in both directions.</summary>
public class SafetensorsPyBridgeOracleTests
{
    public SafetensorsPyBridgeOracleTests() => TorchRuntime.EnsureInitialized();

    static Dictionary<string, Tensor> Sample()
    {
        var gen = torch.manual_seed(11);
        var x = torch.randn(6, 5, generator: gen);
        return new Dictionary<string, Tensor>
        {
            ["f64"] = x.to(ScalarType.Float64), ["f32"] = x, ["f16"] = x.to(ScalarType.Float16),
            ["bf16"] = x.to(ScalarType.BFloat16), ["i64"] = (x * 1000).to(ScalarType.Int64),
            ["i32"] = (x * 1000).to(ScalarType.Int32), ["i16"] = (x * 1000).to(ScalarType.Int16),
            ["i8"] = (x * 50).to(ScalarType.Int8), ["u8"] = (x.abs() * 50).to(ScalarType.Byte), ["bool"] = x > 0,
            ["scalar"] = torch.tensor(3.25f),
        };
    }

    [Fact]
    public void PyBridgeReadsWhatWeWrite()
    {
        using var dir = new TempDir();
        using var scope = NewDisposeScope();
        var sample = Sample();
        string path = dir.File("ours.safetensors");
        SafetensorsWriter.Save(path, sample, new Dictionary<string, string> { ["format"] = "pt" });
        var theirs = PyBridge.LoadStateDict(path);
        Assert.Equal(sample.Keys.Order(), theirs.Keys.Order());
        foreach (var (name, tensor) in sample)
            Assert.True(SafetensorsTestFiles.SameBits(tensor, theirs[name]), name);
    }

    [Fact]
    public void WeReadWhatPyBridgeWrites()
    {
        using var dir = new TempDir();
        using var scope = NewDisposeScope();
        var sample = Sample();
        string path = dir.File("theirs.safetensors");
        // PyBridge writes an unpadded header in dictionary order: still valid for the reference reader.
        using (var stream = new FileStream(path, FileMode.Create))
            PyBridge.SaveStateDict(stream, sample);
        using var file = SafetensorsFile.Open(path);
        Assert.Equal(sample.Keys.Order(), file.Names.Order());
        foreach (var (name, tensor) in sample)
            Assert.True(SafetensorsTestFiles.SameBits(tensor, file.Load(name)), name);
    }
}
