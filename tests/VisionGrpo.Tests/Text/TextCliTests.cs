using System.CommandLine;
using System.Text.Json;
using VisionGrpo.Cli;

namespace VisionGrpo.Tests.Text;

/// <summary>The tokenize and chat-template verbs on the fixture rows.</summary>
public sealed class TextCliTests : IDisposable
{
    readonly string dir = Directory.CreateTempSubdirectory("vg-cli").FullName;

    public void Dispose() => Directory.Delete(dir, true);

    static int Run(params string[] args)
    {
        var root = new RootCommand();
        foreach (var c in CommandCatalog.All()) root.Subcommands.Add(c);
        return CliRunner.Run(root, args);
    }

    static List<JsonElement> ReadRows(string path) => File.ReadLines(path).Select(l => JsonDocument.Parse(l).RootElement).ToList();

    [Fact]
    public void TokenizeAddsIdsAndDecodes()
    {
        string output = Path.Combine(dir, "tok.jsonl");
        Assert.Equal(0, Run("tokenize", "--model", TextFixtures.Dir, "--input", Path.Combine(TextFixtures.Dir, "tok_dev.jsonl"), "--output", output));
        var expected = TextFixtures.ReadJsonl("tok_dev.jsonl");
        var actual = ReadRows(output);
        Assert.Equal(expected.Count, actual.Count);
        for (int i = 0; i < expected.Count; i++)
            foreach (var field in new[] { "ids", "tokens", "decoded", "decoded_skip_special" })
                Assert.Equal(JsonSerializer.Serialize(expected[i].GetProperty(field)), JsonSerializer.Serialize(actual[i].GetProperty(field)));
    }

    [Fact]
    public void ChatTemplateRendersRowsWithKwargsAndTemplateOverrides()
    {
        string textTemplate = TextFixtures.TemplateFile("qwen2_5_text_chat_template.json");
        string input = Path.Combine(dir, "chat.jsonl");
        var rows = TextFixtures.ReadJsonl("chat_dev.jsonl");
        // The flat layout: kwargs at top level, the text template passed as a per-row "template".
        File.WriteAllLines(input, rows.Select(r =>
        {
            var row = new Dictionary<string, JsonElement> { ["messages"] = r.GetProperty("messages") };
            foreach (var p in r.GetProperty("kwargs").EnumerateObject()) row[p.Name] = p.Value;
            if (r.GetProperty("template_name").GetString() == "qwen2_5_instruct") row["template"] = JsonSerializer.SerializeToElement(textTemplate);
            return JsonSerializer.Serialize(row);
        }));
        string output = Path.Combine(dir, "chat_out.jsonl");
        Assert.Equal(0, Run("chat-template", "--model", TextFixtures.Dir, "--input", input, "--output", output));
        var actual = ReadRows(output);
        for (int i = 0; i < rows.Count; i++)
            Assert.Equal(rows[i].GetProperty("expected_text").GetString(), actual[i].GetProperty("text").GetString());

        // The fixture layout (nested kwargs, template_name) resolves through additional_chat_templates/.
        string output2 = Path.Combine(dir, "chat_out2.jsonl");
        Assert.Equal(0, Run("chat-template", "--model", TextFixtures.Dir, "--input", Path.Combine(TextFixtures.Dir, "chat_dev.jsonl"), "--output", output2));
        var actual2 = ReadRows(output2);
        for (int i = 0; i < rows.Count; i++)
            Assert.Equal(rows[i].GetProperty("expected_text").GetString(), actual2[i].GetProperty("text").GetString());
    }

    [Fact]
    public void FailingRowsGetAnErrorFieldAndTheVerbFails()
    {
        string input = Path.Combine(dir, "bad.jsonl");
        File.WriteAllLines(input,
        [
            """{"messages": [{"role": "user", "content": "hi"}], "add_generation_prompt": true}""",
            """{"messages": [{"role": "user", "content": "hi"}], "template": "{{ raise_exception('nope') }}"}""",
        ]);
        string output = Path.Combine(dir, "bad_out.jsonl");
        Assert.Equal(1, Run("chat-template", "--model", TextFixtures.Dir, "--input", input, "--output", output));
        var rows = ReadRows(output);
        Assert.EndsWith("<|im_start|>assistant\n", rows[0].GetProperty("text").GetString());
        Assert.Contains("nope", rows[1].GetProperty("error").GetString());
    }
}
