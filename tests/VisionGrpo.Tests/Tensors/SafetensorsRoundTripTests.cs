using TorchSharp;
using VisionGrpo.Tensors;
using static TorchSharp.torch;

namespace VisionGrpo.Tests.Tensors;

public class SafetensorsRoundTripTests
{
    public SafetensorsRoundTripTests() => TorchRuntime.EnsureInitialized();

    // Random bits (not random values) so NaN payloads, subnormals and sign bits of every type are covered.
    static Tensor RandomBits(ScalarType type, long[] shape, int seed)
    {
        var t = torch.empty(shape, type);
        var rng = new Random(seed);
        rng.NextBytes(t.bytes);
        if (type == ScalarType.Bool)
        {
            // libtorch bools must be 0 or 1.
            var span = t.bytes;
            for (int i = 0; i < span.Length; i++) span[i] &= 1;
        }
        return t;
    }

    public static TheoryData<ScalarType, string> AllTypes => new()
    {
        { ScalarType.Float64, "F64" }, { ScalarType.Float32, "F32" }, { ScalarType.Float16, "F16" },
        { ScalarType.BFloat16, "BF16" }, { ScalarType.Int64, "I64" }, { ScalarType.Int32, "I32" },
        { ScalarType.Int16, "I16" }, { ScalarType.Int8, "I8" }, { ScalarType.Byte, "U8" },
        { ScalarType.Bool, "BOOL" }, { ScalarType.ComplexFloat32, "C64" },
    };

    [Theory]
    [MemberData(nameof(AllTypes))]
    public void EveryDtypeRoundTripsBitExact(ScalarType type, string headerName)
    {
        using var dir = new TempDir();
        using var scope = NewDisposeScope();
        var tensors = new Dictionary<string, Tensor>
        {
            ["matrix"] = RandomBits(type, [3, 5, 7], 1),
            ["scalar"] = RandomBits(type, [], 2),
            ["empty"] = RandomBits(type, [4, 0], 3),
        };
        string path = dir.File("t.safetensors");
        SafetensorsWriter.Save(path, tensors);

        using var file = SafetensorsFile.Open(path);
        Assert.Equal(tensors.Keys.Order(), file.Names.Order());
        foreach (var (name, expected) in tensors)
        {
            var info = file.Info(name);
            Assert.Equal(headerName, info.DType.ToHeaderString());
            Assert.Equal(expected.shape, info.Shape);
            var loaded = file.Load(name);
            Assert.Equal(type, loaded.dtype);
            Assert.Equal(expected.shape, loaded.shape);
            Assert.Equal(expected.bytes.ToArray(), loaded.bytes.ToArray());
        }
    }

    [Fact]
    public void MetadataRoundTrips()
    {
        using var dir = new TempDir();
        using var scope = NewDisposeScope();
        var metadata = new Dictionary<string, string>
        {
            ["format"] = "pt",
            ["quote\"back\\slash"] = "new\nline\ttab\u0001",
            ["unicode"] = "Grüße 🎉 ",
            ["empty"] = "",
        };
        string path = dir.File("m.safetensors");
        SafetensorsWriter.Save(path, [KeyValuePair.Create("x", torch.ones(2))], metadata);
        using var file = SafetensorsFile.Open(path);
        Assert.Equal(metadata.OrderBy(p => p.Key), file.Metadata.OrderBy(p => p.Key));
    }

    [Fact]
    public void NoMetadataGivesEmptyMapAndNoMetadataKey()
    {
        using var dir = new TempDir();
        using var scope = NewDisposeScope();
        string path = dir.File("n.safetensors");
        SafetensorsWriter.Save(path, [KeyValuePair.Create("x", torch.ones(2))]);
        Assert.DoesNotContain("__metadata__", SafetensorsTestFiles.Header(File.ReadAllBytes(path)).Json);
        using var file = SafetensorsFile.Open(path);
        Assert.Empty(file.Metadata);
    }

    [Fact]
    public void LoadConvertsDtypeLikeTensorTo()
    {
        using var dir = new TempDir();
        using var scope = NewDisposeScope();
        var source = torch.randn(33, 17, generator: torch.manual_seed(5)).to(ScalarType.BFloat16);
        string path = dir.File("c.safetensors");
        SafetensorsWriter.Save(path, [KeyValuePair.Create("w", source)]);
        using var file = SafetensorsFile.Open(path);
        var asFloat = file.Load("w", ScalarType.Float32);
        Assert.Equal(ScalarType.Float32, asFloat.dtype);
        Assert.Equal(source.to(ScalarType.Float32).bytes.ToArray(), asFloat.bytes.ToArray());
        var asHalf = file.Load("w", ScalarType.Float16);
        Assert.Equal(source.to(ScalarType.Float16).bytes.ToArray(), asHalf.bytes.ToArray());
    }

    [Fact]
    public void CopyIntoFillsExistingTensorsIncludingStridedViewsAndParameters()
    {
        using var dir = new TempDir();
        using var scope = NewDisposeScope();
        var source = torch.arange(24, dtype: ScalarType.Float32).reshape(4, 6);
        string path = dir.File("p.safetensors");
        SafetensorsWriter.Save(path, [KeyValuePair.Create("w", source)]);
        using var file = SafetensorsFile.Open(path);

        var parameter = new TorchSharp.Modules.Parameter(torch.zeros(4, 6, dtype: ScalarType.BFloat16));
        file.CopyInto("w", parameter);
        Assert.True(parameter.requires_grad);
        Assert.Equal(source.to(ScalarType.BFloat16).bytes.ToArray(), parameter.bytes.ToArray());

        var backing = torch.zeros(6, 4);
        var transposed = backing.t(); // [4, 6], not contiguous
        file.CopyInto("w", transposed);
        Assert.True(SafetensorsTestFiles.SameBits(source, transposed));
        Assert.True(SafetensorsTestFiles.SameBits(source.t(), backing));
    }

    [Fact]
    public void CopyIntoRejectsShapeMismatchNamingFileAndTensor()
    {
        using var dir = new TempDir();
        using var scope = NewDisposeScope();
        string path = dir.File("s.safetensors");
        SafetensorsWriter.Save(path, [KeyValuePair.Create("w", torch.ones(2, 3))]);
        using var file = SafetensorsFile.Open(path);
        var error = Assert.Throws<ArgumentException>(() => file.CopyInto("w", torch.zeros(3, 2)));
        Assert.Contains("s.safetensors", error.Message);
        Assert.Contains("'w'", error.Message);
        Assert.Contains("[2, 3]", error.Message);
        Assert.Throws<KeyNotFoundException>(() => file.Info("missing"));
    }

    [Fact]
    public void DtypesWithoutTorchSharpTypeAreListedButNotLoadable()
    {
        using var dir = new TempDir();
        string path = dir.File("u.safetensors");
        File.WriteAllBytes(path, SafetensorsTestFiles.Raw(
            "{\"a\":{\"dtype\":\"U16\",\"shape\":[2],\"data_offsets\":[0,4]},\"b\":{\"dtype\":\"F8_E4M3\",\"shape\":[2],\"data_offsets\":[4,6]}}",
            new byte[6]));
        using var file = SafetensorsFile.Open(path);
        Assert.Equal(SafetensorsDType.U16, file.Info("a").DType);
        Assert.Equal(SafetensorsDType.F8_E4M3, file.Info("b").DType);
        var error = Assert.Throws<NotSupportedException>(() => file.Load("a"));
        Assert.Contains("U16", error.Message);
        Assert.Contains("'a'", error.Message);
    }

    [Fact]
    public void OverwritingALargerFileLeavesNoStaleBytes()
    {
        using var dir = new TempDir();
        using var scope = NewDisposeScope();
        string path = dir.File("o.safetensors");
        SafetensorsWriter.Save(path, [KeyValuePair.Create("big", torch.ones(1000))]);
        // Keep the old file mapped while it is replaced: the rename must not disturb the mapping.
        using var old = SafetensorsFile.Open(path);
        SafetensorsWriter.Save(path, [KeyValuePair.Create("small", torch.ones(2))]);
        Assert.Equal(8 + SafetensorsTestFiles.Header(File.ReadAllBytes(path)).HeaderLength + 8, new FileInfo(path).Length);
        using var fresh = SafetensorsFile.Open(path);
        Assert.Equal(["small"], fresh.Names);
        Assert.Equal(1000, old.Load("big").sum().item<float>());
        Assert.Empty(Directory.GetFiles(dir.Path, "*.tmp"));
    }

    [Fact]
    public void WriterRejectsBadNames()
    {
        using var dir = new TempDir();
        using var scope = NewDisposeScope();
        string path = dir.File("bad.safetensors");
        Assert.Throws<ArgumentException>(() => SafetensorsWriter.Save(path,
            [KeyValuePair.Create("a", torch.ones(1)), KeyValuePair.Create("a", torch.ones(1))]));
        Assert.Throws<ArgumentException>(() => SafetensorsWriter.Save(path, [KeyValuePair.Create("__metadata__", torch.ones(1))]));
        Assert.False(File.Exists(path));
    }
}
