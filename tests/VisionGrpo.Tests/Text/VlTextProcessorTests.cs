using System.Text.Json;
using VisionGrpo.Text;

namespace VisionGrpo.Tests.Text;

/// <summary>Chat template → placeholder expansion → tokenization → left padding.</summary>
public class VlTextProcessorTests
{
    static VlTextProcessor Processor => new(TextFixtures.Tokenizer, new ChatTemplate(TextFixtures.TemplateFile("chat_template.json")));

    static JsonElement Json(string s) => JsonDocument.Parse(s).RootElement;

    [Fact]
    public void DesignSpecPromptEncodesToTheReferenceIds()
    {
        // Design spec 4.3: system prompt, user turn with N image pads, "Describe this image.", generation prompt.
        var p = Processor;
        string text = p.ApplyChatTemplate(Json("""[{"role":"user","content":[{"type":"image"},{"type":"text","text":"Describe this image."}]}]"""), addGenerationPrompt: true);
        var batch = p.Encode([text], [(1, 4, 6)]);
        int n = 1 * 4 * 6 / 4;
        int[] expected =
        [
            151644, 8948, 198, 2610, 525, 264, 10950, 17847, 13, 151645, 198, 151644, 872, 198, 151652,
            .. Enumerable.Repeat(151655, n), 151653, 74785, 419, 2168, 13, 151645, 198, 151644, 77091, 198,
        ];
        Assert.Equal(expected, batch.InputIds[0]);
        Assert.All(batch.AttentionMask[0], m => Assert.Equal(1, m));
    }

    [Fact]
    public void ClrMessagesRenderLikeJson()
    {
        var p = Processor;
        var messages = (List<object?>)VisionGrpo.Text.Jinja.JinjaJson.FromClr(new object[]
        {
            new Dictionary<string, object?> { ["role"] = "system", ["content"] = "S" },
            new Dictionary<string, object?> { ["role"] = "user", ["content"] = new object[] { new Dictionary<string, object?> { ["type"] = "image" }, new Dictionary<string, object?> { ["type"] = "text", ["text"] = "Q" } } },
        })!;
        string fromClr = p.ApplyChatTemplate(messages, true, new Dictionary<string, object?> { ["add_vision_id"] = true });
        string fromJson = p.ApplyChatTemplate(Json("""[{"role":"system","content":"S"},{"role":"user","content":[{"type":"image"},{"type":"text","text":"Q"}]}]"""), true, Json("""{"add_vision_id": true}"""));
        Assert.Equal(fromJson, fromClr);
        Assert.Equal("<|im_start|>system\nS<|im_end|>\n<|im_start|>user\nPicture 1: <|vision_start|><|image_pad|><|vision_end|>Q<|im_end|>\n<|im_start|>assistant\n", fromClr);
    }

    [Fact]
    public void ExpandsImagesAndVideosInOrderAcrossTheBatch()
    {
        var p = Processor;
        var texts = p.ExpandPlaceholders(
            ["a<|image_pad|>b<|video_pad|>c<|image_pad|>", "<|image_pad|>"],
            imageGrids: [(1, 2, 2), (1, 4, 2), (1, 2, 6)],
            videoGrids: [(2, 2, 2)]);
        Assert.Equal("a<|image_pad|>b" + string.Concat(Enumerable.Repeat("<|video_pad|>", 2)) + "c" + string.Concat(Enumerable.Repeat("<|image_pad|>", 2)), texts[0]);
        Assert.Equal(string.Concat(Enumerable.Repeat("<|image_pad|>", 3)), texts[1]);
    }

    [Fact]
    public void PlaceholderGridMismatchIsAnError()
    {
        var p = Processor;
        var tooFew = Assert.Throws<ArgumentException>(() => p.ExpandPlaceholders(["<|image_pad|><|image_pad|>"], [(1, 2, 2)]));
        Assert.Contains("2 <|image_pad|> placeholder(s) but 1 image grid(s)", tooFew.Message);
        var tooMany = Assert.Throws<ArgumentException>(() => p.ExpandPlaceholders(["no image"], [(1, 2, 2)]));
        Assert.Contains("0 <|image_pad|>", tooMany.Message);
        var videos = Assert.Throws<ArgumentException>(() => p.ExpandPlaceholders(["<|video_pad|>"]));
        Assert.Contains("video", videos.Message);
        var badGrid = Assert.Throws<ArgumentException>(() => p.ExpandPlaceholders(["<|image_pad|>"], [(1, 3, 3)]));
        Assert.Contains("merge_size", badGrid.Message);
    }

    [Fact]
    public void EncodeLeftPadsForGeneration()
    {
        var p = Processor;
        var batch = p.Encode(["<|image_pad|> long prompt with several words", "<|image_pad|>"], [(1, 2, 2), (1, 4, 4)]);
        int lengthA = TextFixtures.Tokenizer.Encode("<|image_pad|> long prompt with several words").Length;
        Assert.Equal(batch.InputIds[0].Length, batch.InputIds[1].Length);
        Assert.Equal(Math.Max(lengthA, 4), batch.InputIds[0].Length);
        // Row 1 has 4 image tokens and is left-padded.
        Assert.Equal(151655, batch.InputIds[1][^1]);
        Assert.Equal(151643, batch.InputIds[1][0]);
        Assert.Equal(0, batch.AttentionMask[1][0]);
    }

    [Fact]
    public void FromDirectoryReadsMergeSizeAndTemplate()
    {
        string dir = Directory.CreateTempSubdirectory("vg-proc").FullName;
        try
        {
            foreach (var f in new[] { "tokenizer.json", "tokenizer_config.json", "chat_template.json" })
                File.Copy(Path.Combine(TextFixtures.Dir, f), Path.Combine(dir, f));
            File.WriteAllText(Path.Combine(dir, "preprocessor_config.json"), """{"merge_size": 4, "patch_size": 14}""");
            var p = VlTextProcessor.FromDirectory(dir);
            Assert.Equal(4, p.MergeSize);
            Assert.Equal(2, p.TokensPerGrid((2, 4, 4)));
            Assert.StartsWith("<|im_start|>system\nYou are a helpful assistant.", p.ApplyChatTemplate(Json("""[{"role":"user","content":"x"}]"""), true));
        }
        finally { Directory.Delete(dir, true); }
    }
}
