using System.Buffers.Binary;
using System.Text;
using VisionGrpo.Tensors;

namespace VisionGrpo.Tests.Tensors;

/// <summary>Each hostile file named in the issue gets a <see cref="SafetensorsFormatException"/> that says why.</summary>
public class SafetensorsValidationTests
{
    const string Good = "{\"a\":{\"dtype\":\"F32\",\"shape\":[2],\"data_offsets\":[0,8]},\"b\":{\"dtype\":\"I8\",\"shape\":[3],\"data_offsets\":[8,11]}}";

    static byte[] WithLength(ulong length, int totalBytes)
    {
        var file = new byte[totalBytes];
        BinaryPrimitives.WriteUInt64LittleEndian(file, length);
        return file;
    }

    public static TheoryData<string, byte[], string> HostileFiles => new()
    {
        { "empty file", [], "fewer than the 8-byte" },
        { "7 bytes", new byte[7], "fewer than the 8-byte" },
        { "header beyond file", WithLength(100, 50), "runs past the end" },
        { "header above 100 MB", WithLength(100_000_001, 64), "100 MB" },
        { "header length 2^64-1", WithLength(ulong.MaxValue, 64), "100 MB" },
        { "invalid UTF-8", SafetensorsTestFiles.Raw("{\"\xff\":1}", []) is var f ? Patch(f, 10, 0xFF) : [], "UTF-8 JSON" },
        { "invalid JSON", SafetensorsTestFiles.Raw("{\"a\":", []), "UTF-8 JSON" },
        { "trailing garbage in header", SafetensorsTestFiles.Raw("{}x", []), "UTF-8 JSON" },
        { "header not an object", SafetensorsTestFiles.Raw("[1,2]", []), "not an object" },
        { "unknown dtype", SafetensorsTestFiles.Raw(Good.Replace("\"I8\"", "\"Q8\""), new byte[11]), "unknown dtype \"Q8\"" },
        { "lower-case dtype", SafetensorsTestFiles.Raw(Good.Replace("\"I8\"", "\"i8\""), new byte[11]), "unknown dtype" },
        { "negative dimension", SafetensorsTestFiles.Raw(Good.Replace("[3]", "[-3]"), new byte[11]), "non-negative" },
        { "fractional dimension", SafetensorsTestFiles.Raw(Good.Replace("[3]", "[3.0]"), new byte[11]), "non-negative" },
        { "string dimension", SafetensorsTestFiles.Raw(Good.Replace("[3]", "[\"3\"]"), new byte[11]), "non-negative" },
        { "shape not an array", SafetensorsTestFiles.Raw(Good.Replace("[3]", "3"), new byte[11]), "not an array" },
        { "numel overflow", SafetensorsTestFiles.Raw(Good.Replace("[3]", "[4294967296,4294967296]"), new byte[11]), "overflows" },
        { "shape disagrees with bytes", SafetensorsTestFiles.Raw(Good.Replace("[3]", "[4]"), new byte[11]), "needs 4 bytes" },
        { "offsets past the data", SafetensorsTestFiles.Raw(Good, new byte[10]), "truncated" },
        { "trailing bytes", SafetensorsTestFiles.Raw(Good, new byte[12]), "trailing" },
        { "overlapping offsets", SafetensorsTestFiles.Raw(Good.Replace("[8,11]", "[7,10]"), new byte[11]), "without gaps or overlaps" },
        { "gap between tensors", SafetensorsTestFiles.Raw(Good.Replace("[8,11]", "[9,12]"), new byte[12]), "without gaps or overlaps" },
        { "data not starting at 0", SafetensorsTestFiles.Raw(Good.Replace("[0,8]", "[1,9]").Replace("[8,11]", "[9,12]"), new byte[12]), "without gaps" },
        { "end before begin", SafetensorsTestFiles.Raw(Good.Replace("[8,11]", "[11,8]"), new byte[11]), "end before they begin" },
        { "three offsets", SafetensorsTestFiles.Raw(Good.Replace("[8,11]", "[8,11,11]"), new byte[11]), "exactly 2" },
        { "offset above 2^63", SafetensorsTestFiles.Raw(Good.Replace("[8,11]", "[8,18446744073709551615]"), new byte[11]), "non-negative 64-bit" },
        { "missing dtype", SafetensorsTestFiles.Raw(Good.Replace("\"dtype\":\"I8\",", ""), new byte[11]), "needs 'dtype'" },
        { "entry not an object", SafetensorsTestFiles.Raw("{\"a\":[1]}", []), "not an object" },
        { "duplicate tensor", SafetensorsTestFiles.Raw(Good.Replace("\"b\":", "\"a\":"), new byte[11]), "twice" },
        { "duplicate field", SafetensorsTestFiles.Raw(Good.Replace("\"shape\":[3]", "\"shape\":[3],\"shape\":[3]"), new byte[11]), "twice" },
        { "metadata not a map", SafetensorsTestFiles.Raw("{\"__metadata__\":[\"pt\"]}", []), "__metadata__" },
        { "metadata value not a string", SafetensorsTestFiles.Raw("{\"__metadata__\":{\"format\":1}}", []), "not a string" },
        { "duplicate metadata", SafetensorsTestFiles.Raw("{\"__metadata__\":{},\"__metadata__\":{}}", []), "twice" },
        { "sub-byte tensor not filling bytes", SafetensorsTestFiles.Raw("{\"a\":{\"dtype\":\"F4\",\"shape\":[3],\"data_offsets\":[0,1]}}", new byte[1]), "whole bytes" },
        { "deep nesting", SafetensorsTestFiles.Raw("{\"__metadata__\":" + new string('[', 1000) + new string(']', 1000) + "}", []), "UTF-8 JSON" },
    };

    static byte[] Patch(byte[] file, int at, byte value)
    {
        file[at] = value;
        return file;
    }

    [Theory]
    [MemberData(nameof(HostileFiles))]
    public void HostileFileIsRejectedWithReason(string why, byte[] bytes, string expected)
    {
        using var dir = new TempDir();
        string path = dir.File("hostile.safetensors");
        File.WriteAllBytes(path, bytes);
        var error = Assert.Throws<SafetensorsFormatException>(() => SafetensorsFile.Open(path));
        Assert.Contains(path, error.Message);
        Assert.True(error.Message.Contains(expected, StringComparison.Ordinal), $"{why}: {error.Message}");
    }

    [Fact]
    public void ValidEdgeCasesAreAccepted()
    {
        using var dir = new TempDir();
        string path = dir.File("ok.safetensors");
        // Entries out of offset order in the JSON, unknown extra fields, zero-size tensors and no padding:
        // the reference reader accepts all of these.
        string json = "{\"z\":{\"dtype\":\"I8\",\"shape\":[3],\"data_offsets\":[8,11],\"extra\":{\"x\":1}}," +
                      "\"e\":{\"dtype\":\"F32\",\"shape\":[0,5],\"data_offsets\":[8,8]}," +
                      "\"a\":{\"dtype\":\"F32\",\"shape\":[2],\"data_offsets\":[0,8]},\"__metadata__\":null}";
        File.WriteAllBytes(path, SafetensorsTestFiles.Raw(json, [0, 0, 128, 63, 0, 0, 0, 64, 1, 2, 3], pad: false));
        using var file = SafetensorsFile.Open(path);
        Assert.Equal(["a", "e", "z"], file.Names);
        Assert.Empty(file.Metadata);
        TorchRuntime.EnsureInitialized();
        using var a = file.Load("a");
        Assert.Equal([1f, 2f], a.data<float>().ToArray());
        using var z = file.Load("z");
        Assert.Equal(new sbyte[] { 1, 2, 3 }, z.data<sbyte>().ToArray());
        using var e = file.Load("e");
        Assert.Equal([0L, 5L], e.shape);
    }

    [Fact]
    public void EmptyHeaderIsAValidEmptyFile()
    {
        using var dir = new TempDir();
        string path = dir.File("empty.safetensors");
        File.WriteAllBytes(path, SafetensorsTestFiles.Raw("{}", []));
        using var file = SafetensorsFile.Open(path);
        Assert.Empty(file.Names);
        Assert.Equal(Encoding.ASCII.GetBytes("{}      "), File.ReadAllBytes(path)[8..]);
    }
}
