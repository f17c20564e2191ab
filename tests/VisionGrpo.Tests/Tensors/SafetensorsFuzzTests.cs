using System.Buffers.Binary;
using System.Text;
using System.Text.Json.Nodes;
using TorchSharp;
using VisionGrpo.Tensors;
using static TorchSharp.torch;

namespace VisionGrpo.Tests.Tensors;

/// <summary>
/// Deterministic mutations of valid files (truncations, bit flips, header-length and JSON edits). Every variant must
/// either open and load exactly the bytes its header describes, or fail with <see cref="SafetensorsFormatException"/>
/// (a dtype without a TorchSharp type may also refuse to load with <see cref="NotSupportedException"/>).
/// </summary>
public class SafetensorsFuzzTests
{
    enum Expect { Either, Reject, Load }

    sealed record Variant(string Label, byte[] Bytes, Expect Expect);

    readonly ITestOutputHelper _output;

    public SafetensorsFuzzTests(ITestOutputHelper output)
    {
        _output = output;
        TorchRuntime.EnsureInitialized();
    }

    static byte[] SmallFile(TempDir dir)
    {
        using var scope = NewDisposeScope();
        var gen = torch.manual_seed(7);
        string path = dir.File("base.safetensors");
        SafetensorsWriter.Save(path,
        [
            KeyValuePair.Create("w.f32", torch.randn(4, 3, generator: gen)),
            KeyValuePair.Create("w.bf16", torch.randn(5, generator: gen).to(ScalarType.BFloat16)),
            KeyValuePair.Create("ids", torch.arange(3, dtype: ScalarType.Int64)),
            KeyValuePair.Create("mask", torch.tensor(new[] { true, false, true })),
            KeyValuePair.Create("scalar", torch.tensor(2.5)),
            KeyValuePair.Create("none", torch.zeros(0, 2)),
            KeyValuePair.Create("u8", torch.arange(7, dtype: ScalarType.Byte)),
        ], new Dictionary<string, string> { ["format"] = "pt" });
        return File.ReadAllBytes(path);
    }

    static IEnumerable<Variant> Mutations(string tag, byte[] file, Random rng, int maxEditedTensors = int.MaxValue)
    {
        int n = checked((int)BinaryPrimitives.ReadUInt64LittleEndian(file));
        int dataStart = 8 + n;

        // Truncation: every cut inside the prefix and around the header end, then points through the data.
        var cuts = new SortedSet<int> { 0, 1, 7, 8, 9, dataStart - 1, dataStart, dataStart + 1, file.Length - 1 };
        for (int i = 0; i < 12; i++) cuts.Add(rng.Next(9, dataStart));
        for (int i = 0; i < 12; i++) cuts.Add(rng.Next(dataStart, file.Length));
        foreach (int cut in cuts.Where(c => c < file.Length))
            yield return new($"{tag} truncated to {cut}", file[..cut], Expect.Reject);
        yield return new($"{tag} one trailing byte", [.. file, 0], Expect.Reject);

        // Bit flips: prefix and header (either outcome), data (must still load: the header is intact).
        for (int i = 0; i < 60; i++)
        {
            int at = i < 8 ? i : rng.Next(8, dataStart);
            yield return new($"{tag} header bit flip @{at}", Flip(file, at, rng.Next(8)), Expect.Either);
        }
        for (int i = 0; i < 20 && dataStart < file.Length; i++)
        {
            int at = rng.Next(dataStart, file.Length);
            yield return new($"{tag} data bit flip @{at}", Flip(file, at, rng.Next(8)), Expect.Load);
        }

        // Header length edits.
        foreach (long length in new long[] { 0, 1, n - 8, n - 1, n + 1, n + 8, file.Length, file.Length - 8, 100_000_001, long.MaxValue, -1 })
        {
            byte[] copy = (byte[])file.Clone();
            BinaryPrimitives.WriteInt64LittleEndian(copy, length);
            yield return new($"{tag} header length {length}", copy, length == n ? Expect.Load : Expect.Either);
        }

        foreach (var v in JsonEdits(tag, file, n, rng, maxEditedTensors)) yield return v;
    }

    static byte[] Flip(byte[] file, int at, int bit)
    {
        byte[] copy = (byte[])file.Clone();
        copy[at] ^= (byte)(1 << bit);
        return copy;
    }

    static IEnumerable<Variant> JsonEdits(string tag, byte[] file, int n, Random rng, int maxEditedTensors)
    {
        byte[] data = file[(8 + n)..];
        string json = Encoding.UTF8.GetString(file, 8, n).TrimEnd(' ');
        var names = JsonNode.Parse(json)!.AsObject().Select(p => p.Key).Where(k => k != "__metadata__")
            .Take(maxEditedTensors).ToArray();
        string[] dtypes = [.. Enum.GetNames<SafetensorsDType>(), "F128", "", "f32", "BOOL "];

        Variant Edit(string label, Action<JsonObject> edit, byte[]? newData = null, Expect expect = Expect.Either)
        {
            var root = JsonNode.Parse(json)!.AsObject();
            edit(root);
            return new($"{tag} {label}", SafetensorsTestFiles.Raw(root.ToJsonString(), newData ?? data), expect);
        }

        foreach (string name in names)
        {
            JsonObject Entry(JsonObject root) => root[name]!.AsObject();
            long Offset(JsonObject root, int i) => Entry(root)["data_offsets"]![i]!.GetValue<long>();

            foreach (int delta in new[] { -8, -1, 1, 8 })
            {
                yield return Edit($"{name} begin {delta:+#;-#}", r => Entry(r)["data_offsets"]![0] = Offset(r, 0) + delta);
                yield return Edit($"{name} end {delta:+#;-#}", r => Entry(r)["data_offsets"]![1] = Offset(r, 1) + delta);
            }
            yield return Edit($"{name} offsets swapped", r => Entry(r)["data_offsets"] = new JsonArray(Offset(r, 1), Offset(r, 0)));
            yield return Edit($"{name} offsets huge", r => Entry(r)["data_offsets"] = new JsonArray(Offset(r, 0), long.MaxValue));
            yield return Edit($"{name} offsets as string", r => Entry(r)["data_offsets"] = "0,4");
            yield return Edit($"{name} dtype {dtypes[rng.Next(dtypes.Length)]}", r => Entry(r)["dtype"] = dtypes[rng.Next(dtypes.Length)]);
            yield return Edit($"{name} dtype number", r => Entry(r)["dtype"] = 3);
            yield return Edit($"{name} shape +dim", r => Entry(r)["shape"]!.AsArray().Add(2));
            yield return Edit($"{name} shape +dim 1", r => Entry(r)["shape"]!.AsArray().Add(1), expect: Expect.Load);
            yield return Edit($"{name} shape -1", r => Entry(r)["shape"] = new JsonArray(-1));
            yield return Edit($"{name} shape 2^62", r => Entry(r)["shape"] = new JsonArray(1L << 62, 8));
            yield return Edit($"{name} shape 1.5", r => Entry(r)["shape"] = new JsonArray(1.5));
            yield return Edit($"{name} shape null", r => Entry(r)["shape"] = null);
            yield return Edit($"{name} extra field", r => Entry(r)["note"] = new JsonObject { ["x"] = 1 }, expect: Expect.Load);
            yield return Edit($"{name} field removed", r => Entry(r).Remove(rng.Next(2) == 0 ? "dtype" : "data_offsets"), expect: Expect.Reject);
            yield return Edit($"{name} entry is a number", r => r[name] = 5, expect: Expect.Reject);
            yield return Edit($"{name} removed", r => r.Remove(name));
        }
        yield return Edit("extra tensor past the end", r => r["zz"] = new JsonObject
        {
            ["dtype"] = "U8", ["shape"] = new JsonArray(4), ["data_offsets"] = new JsonArray(data.Length, data.Length + 4),
        }, [.. data, 1, 2, 3, 4], Expect.Load);
        yield return Edit("extra tensor overlapping", r => r["zz"] = new JsonObject
        {
            ["dtype"] = "U8", ["shape"] = new JsonArray(4), ["data_offsets"] = new JsonArray(0, 4),
        }, [.. data, 1, 2, 3, 4], Expect.Reject);
        yield return Edit("extra top-level string", r => r["zz"] = "hello", expect: Expect.Reject);
        yield return Edit("metadata value number", r => r["__metadata__"] = new JsonObject { ["format"] = 1 }, expect: Expect.Reject);
        yield return Edit("metadata extra key", r => r["__metadata__"]!.AsObject()["extra"] = "ok", expect: Expect.Load);
        yield return Edit("metadata removed", r => r.Remove("__metadata__"), expect: Expect.Load);
        yield return Edit("metadata array", r => r["__metadata__"] = new JsonArray("pt"), expect: Expect.Reject);
    }

    /// <summary>Runs one variant; returns a failure description or null.</summary>
    static string? Check(Variant v, string path)
    {
        File.WriteAllBytes(path, v.Bytes);
        SafetensorsFile file;
        try
        {
            file = SafetensorsFile.Open(path);
        }
        catch (SafetensorsFormatException e)
        {
            if (!e.Message.Contains(path)) return $"{v.Label}: message does not name the file: {e.Message}";
            return v.Expect == Expect.Load ? $"{v.Label}: rejected a valid file: {e.Message}" : null;
        }
        catch (Exception e)
        {
            return $"{v.Label}: {e.GetType().Name}: {e.Message}";
        }
        using (file)
        {
            if (v.Expect == Expect.Reject) return $"{v.Label}: accepted an invalid file";
            long dataStart = 8 + (long)BinaryPrimitives.ReadUInt64LittleEndian(v.Bytes);
            foreach (string name in file.Names)
            {
                var info = file.Info(name);
                if (info.DType.TryToScalarType() is null)
                {
                    try { file.Load(name).Dispose(); return $"{v.Label}: loaded {info.DType}"; }
                    catch (NotSupportedException) { continue; }
                }
                try
                {
                    using var t = file.Load(name);
                    if (!t.shape.SequenceEqual(info.Shape)) return $"{v.Label}: '{name}' has shape [{string.Join(",", t.shape)}]";
                    var expected = v.Bytes.AsSpan((int)(dataStart + info.Begin), (int)info.ByteLength);
                    if (!expected.SequenceEqual(t.bytes)) return $"{v.Label}: '{name}' bytes differ from the file";
                }
                catch (Exception e)
                {
                    return $"{v.Label}: loading '{name}' threw {e.GetType().Name}: {e.Message}";
                }
            }
        }
        return null;
    }

    [Fact]
    public void MutatedFilesLoadCorrectlyOrFailWithFormatException()
    {
        using var dir = new TempDir();
        var rng = new Random(20251125);
        byte[] python = File.ReadAllBytes(SafetensorsTestFiles.FixturePath("qwen2_5_vl_tiny", "case_a.safetensors"));
        var variants = Mutations("small", SmallFile(dir), rng).Concat(Mutations("case_a", python, rng, maxEditedTensors: 8)).ToList();
        Assert.True(variants.Count >= 200, $"only {variants.Count} variants");
        Assert.True(variants.Select(v => Convert.ToBase64String(System.Security.Cryptography.SHA256.HashData(v.Bytes))).Distinct().Count() >= 200);

        string path = dir.File("fuzz.safetensors");
        var failures = variants.Select(v => Check(v, path)).OfType<string>().ToList();
        _output.WriteLine($"{variants.Count} variants checked, {failures.Count} misbehaved.");
        Assert.True(failures.Count == 0, $"{failures.Count} of {variants.Count} variants misbehaved:\n" + string.Join("\n", failures.Take(30)));
    }
}
