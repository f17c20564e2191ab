using System.Buffers.Binary;
using System.Text;
using System.Text.Json;
using TorchSharp;
using VisionGrpo.Tensors;
using static TorchSharp.torch;

namespace VisionGrpo.Tests.Tensors;

/// <summary>The bytes the writer produces, checked against the format spec and the Python package's conventions.</summary>
public class SafetensorsLayoutTests
{
    public SafetensorsLayoutTests() => TorchRuntime.EnsureInitialized();

    [Fact]
    public void HeaderIsPaddedWithSpacesAndEntriesAreOrderedByAlignmentThenName()
    {
        using var dir = new TempDir();
        using var scope = NewDisposeScope();
        string path = dir.File("layout.safetensors");
        SafetensorsWriter.Save(path,
        [
            KeyValuePair.Create("b.f32", torch.ones(3)),
            KeyValuePair.Create("flag", torch.ones(5, dtype: ScalarType.Bool)),
            KeyValuePair.Create("a.f32", torch.ones(2)),
            KeyValuePair.Create("half", torch.ones(1, dtype: ScalarType.BFloat16)),
            KeyValuePair.Create("ids", torch.ones(2, dtype: ScalarType.Int64)),
            KeyValuePair.Create("B.f32", torch.ones(1)),
        ], new Dictionary<string, string> { ["format"] = "pt" });
        byte[] file = File.ReadAllBytes(path);

        ulong n = BinaryPrimitives.ReadUInt64LittleEndian(file);
        Assert.Equal(0UL, n % 8);
        string header = Encoding.UTF8.GetString(file, 8, (int)n);
        string json = header.TrimEnd(' ');
        Assert.True(header.Length - json.Length < 8);
        Assert.EndsWith("}", json);

        // Compact JSON, metadata first, then I64 > F32 > BF16 > BOOL, names ordered byte-wise ("B" < "a").
        const string expected = "{\"__metadata__\":{\"format\":\"pt\"}," +
            "\"ids\":{\"dtype\":\"I64\",\"shape\":[2],\"data_offsets\":[0,16]}," +
            "\"B.f32\":{\"dtype\":\"F32\",\"shape\":[1],\"data_offsets\":[16,20]}," +
            "\"a.f32\":{\"dtype\":\"F32\",\"shape\":[2],\"data_offsets\":[20,28]}," +
            "\"b.f32\":{\"dtype\":\"F32\",\"shape\":[3],\"data_offsets\":[28,40]}," +
            "\"half\":{\"dtype\":\"BF16\",\"shape\":[1],\"data_offsets\":[40,42]}," +
            "\"flag\":{\"dtype\":\"BOOL\",\"shape\":[5],\"data_offsets\":[42,47]}}";
        Assert.Equal(expected, json);
        Assert.Equal(8 + (long)n + 47, file.Length);
        // Data section: the int64 ones come first, little-endian.
        Assert.Equal(1L, BinaryPrimitives.ReadInt64LittleEndian(file.AsSpan(8 + (int)n)));
        Assert.Equal(0x3F80, BinaryPrimitives.ReadUInt16LittleEndian(file.AsSpan(8 + (int)n + 40)));
    }

    [Fact]
    public void NamesAreEscapedLikeSerdeJson()
    {
        using var dir = new TempDir();
        using var scope = NewDisposeScope();
        string path = dir.File("esc.safetensors");
        string name = "q\"b\\c\u0001d/é";
        SafetensorsWriter.Save(path, [KeyValuePair.Create(name, torch.ones(1))]);
        string json = SafetensorsTestFiles.Header(File.ReadAllBytes(path)).Json;
        Assert.StartsWith("{\"q\\\"b\\\\c\\u0001d/é\":", json);
        Assert.Equal(name, JsonDocument.Parse(json).RootElement.EnumerateObject().Single().Name);
        using var file = SafetensorsFile.Open(path);
        Assert.Equal([name], file.Names);
    }

    [Fact]
    public void EveryHeaderLengthModulo8IsPadded()
    {
        using var dir = new TempDir();
        using var scope = NewDisposeScope();
        var lengths = new HashSet<int>();
        for (int k = 1; k <= 8; k++)
        {
            string path = dir.File($"p{k}.safetensors");
            SafetensorsWriter.Save(path, [KeyValuePair.Create(new string('x', k), torch.ones(1))]);
            var (n, json) = SafetensorsTestFiles.Header(File.ReadAllBytes(path));
            Assert.Equal(0, n % 8);
            lengths.Add(json.TrimEnd(' ').Length % 8);
            using var file = SafetensorsFile.Open(path);
            Assert.Single(file.Names);
        }
        Assert.Equal(8, lengths.Count); // every unpadded length class was exercised
    }
}
