using VisionGrpo.Text;

namespace VisionGrpo.Tests.Text;

/// <summary>Batch encode: padding side, truncation side, masks, pad/eos ids from the config.</summary>
public class BatchEncodingTests
{
    static HfTokenizer Tok => TextFixtures.Tokenizer;
    const int Pad = 151643;

    [Fact]
    public void SpecialIdsComeFromTheConfig()
    {
        Assert.Equal(151645, Tok.EosTokenId);
        Assert.Equal(Pad, Tok.PadTokenId);
        Assert.Null(Tok.BosTokenId);
        Assert.Equal(Side.Right, Tok.Config.PaddingSide);
        Assert.Equal(131072, Tok.Config.ModelMaxLength);
        Assert.Equal(151665, Tok.VocabSize);
    }

    [Fact]
    public void PadsRightByDefaultAndLeftOnRequest()
    {
        string[] texts = ["Hello world, this is longer.", "Hi"];
        int[] a = Tok.Encode(texts[0]), b = Tok.Encode(texts[1]);
        Assert.True(a.Length > b.Length);

        var right = Tok.EncodeBatch(texts);
        Assert.Equal(a, right.InputIds[0]);
        Assert.Equal(b.Concat(Enumerable.Repeat(Pad, a.Length - b.Length)), right.InputIds[1]);
        Assert.Equal(Enumerable.Repeat(1, b.Length).Concat(Enumerable.Repeat(0, a.Length - b.Length)), right.AttentionMask[1]);

        var left = Tok.EncodeBatch(texts, new BatchEncodeOptions { PaddingSide = Side.Left });
        Assert.Equal(Enumerable.Repeat(Pad, a.Length - b.Length).Concat(b), left.InputIds[1]);
        Assert.Equal(Enumerable.Repeat(0, a.Length - b.Length).Concat(Enumerable.Repeat(1, b.Length)), left.AttentionMask[1]);
        Assert.All(left.AttentionMask[0], m => Assert.Equal(1, m));
    }

    [Fact]
    public void TruncatesOnTheConfiguredSide()
    {
        int[] full = Tok.Encode("one two three four five six");
        var right = Tok.EncodeBatch(["one two three four five six"], new BatchEncodeOptions { Truncation = true, MaxLength = 3 });
        Assert.Equal(full[..3], right.InputIds[0]);
        var left = Tok.EncodeBatch(["one two three four five six"], new BatchEncodeOptions { Truncation = true, MaxLength = 3, TruncationSide = Side.Left });
        Assert.Equal(full[^3..], left.InputIds[0]);
    }

    [Fact]
    public void MaxLengthPaddingAndMultiples()
    {
        var fixedLength = Tok.EncodeBatch(["a", "b c"], new BatchEncodeOptions { Padding = PaddingStrategy.MaxLength, MaxLength = 6 });
        Assert.All(fixedLength.InputIds, row => Assert.Equal(6, row.Length));
        var multiple = Tok.EncodeBatch(["a b c"], new BatchEncodeOptions { PadToMultipleOf = 8 });
        Assert.Equal(8, multiple.InputIds[0].Length);
        Assert.Equal(3, multiple.AttentionMask[0].Sum());

        var none = Tok.EncodeBatch(["a", "b c d"], new BatchEncodeOptions { Padding = PaddingStrategy.None });
        Assert.NotEqual(none.InputIds[0].Length, none.InputIds[1].Length);
        Assert.Throws<InvalidOperationException>(() => none.ToFlatIds(out _, out _));

        long[] flat = fixedLength.ToFlatIds(out int rows, out int cols);
        Assert.Equal((2, 6), (rows, cols));
        Assert.Equal(fixedLength.InputIds[1][0], flat[6]);
    }

    [Fact]
    public void ParallelBatchEqualsSequentialEncode()
    {
        var texts = TextFixtures.ReadJsonl("tok_dev.jsonl").Select(r => r.GetProperty("text").GetString()!).ToList();
        var batch = Tok.EncodeBatch(texts, new BatchEncodeOptions { Padding = PaddingStrategy.None, Parallel = true });
        for (int i = 0; i < texts.Count; i++) Assert.Equal(Tok.Encode(texts[i]), batch.InputIds[i]);
    }

    [Fact]
    public void DecodeDropsIdsOutsideTheVocabularyLikeHfTokenizersAndRejectsNegativeOnes()
    {
        // A model's padded vocabulary (151,936 rows vs 151,665 tokens) can emit such ids; tokenizers' decode skips them.
        Assert.Equal(Tok.Decode([1, 2]), Tok.Decode([1, 151_700, 2, 999_999]));
        Assert.Throws<ArgumentOutOfRangeException>(() => Tok.Decode([1, -5]));
    }

    [Fact]
    public void MissingTokenizerListsWhatWasLookedFor()
    {
        string dir = Directory.CreateTempSubdirectory("vg-notok").FullName;
        try
        {
            var e = Assert.Throws<FileNotFoundException>(() => HfTokenizer.FromDirectory(dir));
            Assert.Contains("tokenizer.json", e.Message);
            Assert.Contains("tokenizer_config.json", e.Message);
        }
        finally { Directory.Delete(dir, true); }
    }
}

/// <summary>Decode(Encode(x)) must give back NFC(x) on mixes of the fixture texts and special tokens.</summary>
public class TokenizerRoundTripTests
{
    [Fact]
    public void RandomMixesRoundTrip()
    {
        var texts = TextFixtures.ReadJsonl("tok_dev.jsonl").Select(r => r.GetProperty("text").GetString()!).ToList();
        var rng = new Random(7);
        for (int i = 0; i < 200; i++)
        {
            var a = texts[rng.Next(texts.Count)];
            var b = texts[rng.Next(texts.Count)];
            string mix = a[..Cut(a, rng)] + "<|im_end|>" + b[Cut(b, rng)..];
            Assert.Equal(mix.Normalize(System.Text.NormalizationForm.FormC), TextFixtures.Tokenizer.Decode(TextFixtures.Tokenizer.Encode(mix)));
        }
    }

    /// <summary>A random cut point that does not split a surrogate pair.</summary>
    static int Cut(string s, Random rng)
    {
        int i = rng.Next(s.Length + 1);
        return i > 0 && i < s.Length && char.IsLowSurrogate(s[i]) ? i - 1 : i;
    }

    [Fact]
    public void UnpairedSurrogatesAreRefusedClearly()
    {
        var e = Assert.Throws<ArgumentException>(() => TextFixtures.Tokenizer.Encode("ab\uD83D"));
        Assert.Contains("unpaired UTF-16 surrogate", e.Message);
    }
}

/// <summary>The split regex must see code points, as the reference (Oniguruma) engine does.</summary>
public class PreTokenizerSplitTests
{
    static List<string> Pieces(string text) =>
        TextFixtures.Tokenizer.PieceRanges(text).Select(r => text.Substring(r.Start, r.Length)).ToList();

    [Fact]
    public void AstralLettersAndDigitsAreLettersAndDigits()
    {
        // 𝐀 (U+1D400) is a letter and 𝟏 (U+1D7CF) a digit: "\p{L}+" takes "a𝐀b" whole, "\p{N}" takes 𝟏 alone.
        Assert.Equal([" a\U0001D400b", " ", "\U0001D7CF", "2"], Pieces(" a\U0001D400b \U0001D7CF2"));
        // Emoji are neither: " ?[^\s\p{L}\p{N}]+" keeps a run of them (and the ZWJ) together.
        Assert.Equal(["hi", " 👍🏽🧑‍🎓!\n"], Pieces("hi 👍🏽🧑‍🎓!\n")); // the run also takes trailing newlines
        // An emoji is one code point, so it can be the optional one-character prefix of a word.
        Assert.Equal(["🎉Congrats", " 😀😀", "ok"], Pieces("🎉Congrats 😀😀ok"));
        Assert.Equal(["Hello", " world"], Pieces("Hello world"));
    }
}
