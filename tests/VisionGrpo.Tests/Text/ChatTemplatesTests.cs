using VisionGrpo.Text;

namespace VisionGrpo.Tests.Text;

/// <summary>Template discovery with transformers' precedence, and named-template selection.</summary>
public sealed class ChatTemplatesTests : IDisposable
{
    readonly string dir = Directory.CreateTempSubdirectory("vg-tpl").FullName;

    public void Dispose() => Directory.Delete(dir, true);

    void Write(string name, string content)
    {
        string path = Path.Combine(dir, name);
        Directory.CreateDirectory(Path.GetDirectoryName(path)!);
        File.WriteAllText(path, content);
    }

    [Fact]
    public void ProcessorTemplatesTakePrecedenceOverTheTokenizerConfig()
    {
        Assert.Null(ChatTemplates.FromDirectory(dir));
        Write("tokenizer_config.json", """{"chat_template": "from tokenizer_config"}""");
        Assert.Equal("from tokenizer_config", ChatTemplates.FromDirectory(dir)!.Select());
        Write("chat_template.json", """{"chat_template": "from chat_template.json"}""");
        Assert.Equal("from chat_template.json", ChatTemplates.FromDirectory(dir)!.Select());
        Write("chat_template.jinja", "from chat_template.jinja");
        var templates = ChatTemplates.FromDirectory(dir)!;
        Assert.Equal("from chat_template.jinja", templates.Select());
        Assert.EndsWith("chat_template.jinja", templates.SourceFile);
    }

    [Fact]
    public void NamedTemplatesFollowGetChatTemplate()
    {
        Write("tokenizer_config.json", """{"chat_template": [{"name": "default", "template": "D"}, {"name": "tool_use", "template": "T"}]}""");
        Write("additional_chat_templates/rag.jinja", "R");
        var t = ChatTemplates.FromDirectory(dir)!;
        Assert.Equal("D", t.Select());
        Assert.Equal("T", t.Select(hasTools: true));
        Assert.Equal("R", t.Select("rag"));
        Assert.Equal("{{ 'inline' }}", t.Select("{{ 'inline' }}"));
    }

    [Fact]
    public void SeveralTemplatesWithoutDefaultNeedAName()
    {
        Write("tokenizer_config.json", """{"chat_template": [{"name": "a", "template": "A"}, {"name": "b", "template": "B"}]}""");
        var e = Assert.Throws<InvalidOperationException>(() => ChatTemplates.FromDirectory(dir)!.Select());
        Assert.Contains("a, b", e.Message);
    }

    [Fact]
    public void MissingTemplateListsWhatWasLookedFor()
    {
        var e = Assert.Throws<FileNotFoundException>(() => ChatTemplate.FromDirectory(dir));
        Assert.Contains("chat_template.jinja", e.Message);
        Assert.Contains("tokenizer_config.json", e.Message);
    }

    [Fact]
    public void SpecialTokensAreTemplateVariables()
    {
        var config = TokenizerConfig.Load(Path.Combine(TextFixtures.Dir, "tokenizer_config.json"), null);
        string text = new ChatTemplate("{{ eos_token }}|{{ bos_token is defined }}")
            .Render([], false, specialTokens: ChatTemplate.SpecialTokenVariables(config));
        Assert.Equal("<|im_end|>|False", text);
    }
}
