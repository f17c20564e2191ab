using System.Numerics;
using VisionGrpo.Data.Splits;

namespace VisionGrpo.Tests.Data;

public class TrainTestSplitTests
{
    public static TheoryData<string> Cases => DataFixtures.Ids("train_test_split.jsonl");

    [Theory]
    [MemberData(nameof(Cases))]
    public void Selects_the_rows_datasets_selects(string id)
    {
        var c = DataFixtures.Case("train_test_split.jsonl", id);
        SplitSize? Size(string key) => c[key] is null ? null
            : (string)c[key + "_type"]! == "int" ? SplitSize.OfCount((long)c[key]!) : SplitSize.OfFraction((double)c[key]!);
        int n = (int)c["n"]!;
        var seed = BigInteger.Parse((string)c["seed_str"]!);
        bool shuffle = (bool)c["shuffle"]!;
        if (c["train"] is null)
        {
            var e = Assert.ThrowsAny<ArgumentException>(() => TrainTestSplit.Compute(n, Size("test_size"), Size("train_size"), seed, shuffle));
            Assert.Equal((string)c["error"]!["message"]!, e.Message);
            return;
        }
        var result = TrainTestSplit.Compute(n, Size("test_size"), Size("train_size"), seed, shuffle);
        Assert.Equal(c["train"]!.AsArray().Select(v => (int)v!), result.Train);
        Assert.Equal(c["test"]!.AsArray().Select(v => (int)v!), result.Test);
    }

    [Fact]
    public void Recipe_split_gives_307_train_and_77_test()
    {
        var r = TrainTestSplit.Compute(384, SplitSize.OfFraction(0.2), null, 42);
        Assert.Equal(307, r.Train.Length);
        Assert.Equal([154, 232, 183, 294, 367], r.Test[..5]);
        Assert.Equal([305, 73, 214], r.Train[..3]);
    }

    [Theory]
    [InlineData("77", false)]
    [InlineData("0.2", true)]
    [InlineData("1e-05", true)]
    [InlineData("1.0", true)]
    public void Size_literals_follow_python_int_vs_float(string text, bool isFraction)
    {
        var s = SplitSize.Parse(text);
        Assert.Equal(isFraction, s.IsFraction);
        Assert.Equal(text, s.ToString());
    }

    [Fact]
    public void Negative_seed_is_rejected_like_numpy()
    {
        var e = Assert.ThrowsAny<ArgumentException>(() => TrainTestSplit.Compute(10, SplitSize.OfFraction(0.2), null, -1));
        Assert.Equal("expected non-negative integer", e.Message);
    }
}
