using VisionGrpo.Text;

namespace VisionGrpo.Tests.Text;

/// <summary>Every render of chat_dev.jsonl must equal Jinja2's output byte for byte.</summary>
public class ChatTemplateFixtureTests
{
    public static TheoryData<int> Cases() => new(Enumerable.Range(0, TextFixtures.ReadJsonl("chat_dev.jsonl").Count));

    static string TemplateFileFor(string templateName) => templateName switch
    {
        "qwen2_5_vl" => "chat_template.json",
        "qwen2_5_instruct" => "qwen2_5_text_chat_template.json",
        _ => throw new ArgumentException($"unknown template_name {templateName}"),
    };

    [Theory]
    [MemberData(nameof(Cases))]
    public void RendersLikeJinja2(int index)
    {
        var row = TextFixtures.ReadJsonl("chat_dev.jsonl")[index];
        var template = new ChatTemplate(TextFixtures.TemplateFile(TemplateFileFor(row.GetProperty("template_name").GetString()!)));
        string text = template.Render(row.GetProperty("messages"), row.GetProperty("kwargs"));
        Assert.Equal(row.GetProperty("expected_text").GetString(), text);
    }
}
