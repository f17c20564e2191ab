using VisionGrpo.Data.Splits;

namespace VisionGrpo.Tests.Data;

public class SplitSpecTests
{
    public static TheoryData<string> Cases => DataFixtures.Ids("split_specs.jsonl");

    [Theory]
    [MemberData(nameof(Cases))]
    public void Resolves_like_datasets(string id)
    {
        var c = DataFixtures.Case("split_specs.jsonl", id);
        var lengths = c["split_lengths"]!.AsObject().Select(kv => new KeyValuePair<string, long>(kv.Key, (long)kv.Value!)).ToList();
        string spec = (string)c["spec"]!;
        if (c["error"] is { } error)
        {
            var e = Assert.ThrowsAny<ArgumentException>(() => SplitSpec.Resolve(spec, lengths));
            Assert.Equal((string)error["message"]!, e.Message);
            return;
        }
        var ranges = SplitSpec.Resolve(spec, lengths);
        var expected = c["row_ranges"]!.AsArray().Select(r => new SplitRange((string)r![0]!, (long)r[1]!, (long)r[2]!)).ToList();
        Assert.Equal(expected, ranges);
        Assert.Equal((long)c["num_rows"]!, ranges.Sum(r => r.Count));
    }

    [Theory]
    [InlineData("train[50:10]")]
    [InlineData("train[:1__0]")]
    [InlineData("train[:5%]()")]
    [InlineData("train(closest)")]
    [InlineData("")]
    [InlineData("train+")]
    public void Rejects_invalid_strings_with_a_reason(string spec)
    {
        var e = Assert.ThrowsAny<ArgumentException>(() => SplitSpec.Resolve(spec, [new("train", 100)]));
        Assert.False(string.IsNullOrWhiteSpace(e.Message));
    }

    [Fact]
    public void Percent_rounding_is_half_to_even()
    {
        Assert.Equal(384, SplitSpec.CountRows("train[:5%]", [new("train", 7690)]));
        Assert.Equal(384, SplitSpec.CountRows("train[:5%]", [new("train", 7670)]));
        Assert.Equal(1000, SplitSpec.CountRows("train[:1_000]", [new("train", 7689)]));
    }
}
