using System.Text.Json;

namespace VisionGrpo.Tests.Text;

/// <summary>Every case of tok_dev.jsonl: ids, token strings and both decodes must equal the reference.</summary>
public class TokenizerFixtureTests
{
    public static TheoryData<int> Cases() => new(Enumerable.Range(0, TextFixtures.ReadJsonl("tok_dev.jsonl").Count));

    [Theory]
    [MemberData(nameof(Cases))]
    public void MatchesReference(int index)
    {
        var row = TextFixtures.ReadJsonl("tok_dev.jsonl")[index];
        var tok = TextFixtures.Tokenizer;
        string text = row.GetProperty("text").GetString()!;
        int[] expected = row.GetProperty("ids").EnumerateArray().Select(e => e.GetInt32()).ToArray();

        int[] ids = tok.Encode(text);
        Assert.Equal(expected, ids);
        Assert.Equal(row.GetProperty("tokens").EnumerateArray().Select(e => e.GetString()!), ids.Select(tok.IdToToken));
        Assert.Equal(row.GetProperty("decoded").GetString(), tok.Decode(ids));
        Assert.Equal(row.GetProperty("decoded_skip_special").GetString(), tok.Decode(ids, skipSpecialTokens: true));
    }
}
