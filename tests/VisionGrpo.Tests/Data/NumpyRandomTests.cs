using System.Numerics;
using System.Text.Json.Nodes;
using VisionGrpo.Data.Rng;

namespace VisionGrpo.Tests.Data;

public class NumpyRandomTests
{
    static readonly JsonArray Seeds = JsonNode.Parse(File.ReadAllText(Path.Combine(DataFixtures.Dir, "rng_layers.json")))!["seeds"]!.AsArray();

    public static TheoryData<string> SeedIds
    {
        get
        {
            var d = new TheoryData<string>();
            foreach (var s in Seeds) d.Add((string)s!["seed_str"]!);
            return d;
        }
    }

    static JsonObject For(string seed) => Seeds.Single(s => (string)s!["seed_str"]! == seed)!.AsObject();
    static ulong U64(JsonNode? n) => ulong.Parse((string)n!);
    static uint[] U32s(JsonNode? n) => n!.AsArray().Select(v => (uint)(long)v!).ToArray();
    static NumpyRandom Rng(string seed) => new(BigInteger.Parse(seed));

    static void AssertState(JsonNode? expected, Pcg64 g)
    {
        Assert.Equal(UInt128.Parse((string)expected!["state"]!), g.State);
        Assert.Equal(UInt128.Parse((string)expected["inc"]!), g.Increment);
        bool has = (int)expected["has_uint32"]! == 1;
        Assert.Equal(has, g.HasUInt32);
        if (has) Assert.Equal((uint)(long)expected["uinteger"]!, g.BufferedUInt32);
    }

    static void AssertDouble(JsonNode? expected, double actual) =>
        Assert.Equal(ulong.Parse((string)expected!["bits"]!), BitConverter.DoubleToUInt64Bits(actual));

    [Theory]
    [MemberData(nameof(SeedIds))]
    public void Seed_sequence_matches(string seed)
    {
        var f = For(seed);
        var ss = new SeedSequence(BigInteger.Parse(seed));
        Assert.Equal(U32s(f["seed_words_uint32"]), SeedSequence.ToWords(BigInteger.Parse(seed)));
        var sq = f["seed_sequence"]!;
        Assert.Equal(U32s(sq["pool_uint32"]), ss.Pool);
        Assert.Equal(U32s(sq["generate_state_4_uint32"]), ss.GenerateState32(4));
        Assert.Equal(U32s(sq["generate_state_8_uint32"]), ss.GenerateState32(8));
        Assert.Equal(sq["generate_state_4_uint64"]!.AsArray().Select(U64), ss.GenerateState64(4));
        AssertState(f["pcg64_initial_state"], new Pcg64(ss));
    }

    [Theory]
    [MemberData(nameof(SeedIds))]
    public void Raw_streams_match(string seed)
    {
        var f = For(seed);
        var g = Rng(seed).BitGenerator;
        Assert.Equal(f["random_raw_uint64_first10"]!.AsArray().Select(U64), Enumerable.Range(0, 10).Select(_ => g.NextUInt64()));

        g = Rng(seed).BitGenerator;
        Assert.Equal(U32s(f["next_uint32_first10"]), Enumerable.Range(0, 10).Select(_ => g.NextUInt32()));
        AssertState(f["state_after_next_uint32_x10"], g);

        g = Rng(seed).BitGenerator;
        foreach (var call in f["interleaved_bitgen_calls"]!["calls"]!.AsArray())
        {
            switch ((string)call!["call"]!)
            {
                case "next_uint32": Assert.Equal(U64(call["value"]), g.NextUInt32()); break;
                case "next_uint64": Assert.Equal(U64(call["value"]), g.NextUInt64()); break;
                case "next_double": AssertDouble(call["value"], g.NextDouble()); break;
                default: Assert.Fail("unknown call " + call["call"]); break;
            }
        }
        AssertState(f["interleaved_bitgen_calls"]!["state_after"], g);

        var rng = Rng(seed);
        foreach (var d in f["generator_random_first5"]!.AsArray()) AssertDouble(d, rng.Random());
    }

    [Theory]
    [MemberData(nameof(SeedIds))]
    public void Integers_and_permutations_match(string seed)
    {
        var f = For(seed);
        foreach (var c in f["generator_integers"]!.AsArray())
        {
            var rng = Rng(seed);
            long[] values = rng.Integers(long.Parse((string)c!["low"]!), long.Parse((string)c["high"]!), (int)c["size"]!);
            Assert.Equal(c["values"]!.AsArray().Select(v => long.Parse((string)v!)), values);
            AssertState(c["state_after"], rng.BitGenerator);
        }
        foreach (var p in f["permutations"]!.AsArray())
        {
            var rng = Rng(seed);
            Assert.Equal(p!["values"]!.AsArray().Select(v => (int)v!), rng.Permutation((int)p["n"]!));
            AssertState(p["state_after"], rng.BitGenerator);
        }
    }

    [Theory]
    [MemberData(nameof(SeedIds))]
    public void Mixed_generator_sequence_matches(string seed)
    {
        var rng = Rng(seed);
        foreach (var c in For(seed)["mixed_generator_sequence"]!.AsArray())
        {
            string call = (string)c!["call"]!;
            if (call == "random()") AssertDouble(c["result"], rng.Random());
            else if (call.StartsWith("permutation(", StringComparison.Ordinal))
                Assert.Equal(c["result"]!.AsArray().Select(v => (int)v!), rng.Permutation(int.Parse(call[12..^1])));
            else if (call.StartsWith("integers(", StringComparison.Ordinal))
            {
                var args = call[9..^1].Split(',').Select(a => a.Trim()).ToArray();
                int size = int.Parse(args[2].Split('=')[1]);
                Assert.Equal(c["result"]!.AsArray().Select(v => (long)v!), rng.Integers(long.Parse(args[0]), long.Parse(args[1]), size));
            }
            else Assert.Fail("unknown call " + call);
            AssertState(c["state_after"], rng.BitGenerator);
        }
    }
}
