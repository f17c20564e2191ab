using System.CommandLine;
using System.Text.Json;
using VisionGrpo.Text;
using VisionGrpo.Text.Jinja;

namespace VisionGrpo.Cli.Commands;

/// <summary><c>visiongrpo chat-template</c>: render conversations with a model folder's chat template.</summary>
internal static class ChatTemplateCommand
{
    /// <summary>Row fields that are not template variables.</summary>
    static readonly HashSet<string> Reserved = ["messages", "template", "template_name", "kwargs", "id", "expected_text", "text", "error"];

    public static Command Create()
    {
        var model = new Option<string>("--model") { Description = "Model folder (chat_template.jinja / chat_template.json / tokenizer_config.json).", Required = true };
        var input = new Option<string>("--input") { Description = "JSON lines: {\"messages\": [...], \"add_generation_prompt\": bool, ...other template kwargs}; optional \"template\" (a template string or a template name) overrides the model's.", Required = true };
        var output = new Option<string>("--output") { Description = "Output JSON lines: each input row plus \"text\".", Required = true };
        var command = new Command("chat-template", "Render chat templates like transformers' apply_chat_template(tokenize=False).")
        {
            model, input, output,
        };
        command.SetAction(parseResult => Run(parseResult.GetValue(model)!, parseResult.GetValue(input)!, parseResult.GetValue(output)!));
        return command;
    }

    static int Run(string modelDir, string inputPath, string outputPath)
    {
        if (!Directory.Exists(modelDir)) throw new DirectoryNotFoundException($"Model folder '{modelDir}' does not exist.");
        var templates = ChatTemplates.FromDirectory(modelDir);
        var specialTokens = ChatTemplate.SpecialTokenVariables(TokenizerConfig.Load(
            Path.Combine(modelDir, "tokenizer_config.json"), Path.Combine(modelDir, "special_tokens_map.json")));
        using var output = TextJsonl.OpenOutput(outputPath);
        TextJsonl.Transform(inputPath, output, (row, writer) =>
        {
            if (!row.TryGetProperty("messages", out var messages) || messages.ValueKind != JsonValueKind.Array)
                throw new InvalidDataException("the row has no array field \"messages\"");
            var vars = new Dictionary<string, object?>(StringComparer.Ordinal);
            foreach (var p in row.EnumerateObject())
                if (!Reserved.Contains(p.Name)) vars[p.Name] = JinjaJson.FromJson(p.Value);
            // The fixture layout nests the variables under "kwargs"; accept both.
            if (row.TryGetProperty("kwargs", out var nested) && nested.ValueKind == JsonValueKind.Object)
                foreach (var p in nested.EnumerateObject()) vars[p.Name] = JinjaJson.FromJson(p.Value);

            bool hasTools = vars.TryGetValue("tools", out var tools) && tools is not null;
            var template = new ChatTemplate(SelectTemplate(row, templates, modelDir, hasTools));
            string text = template.RenderWithKwargs(ChatTemplate.MessagesFromJson(messages), vars, specialTokens);
            writer.WriteString("text", text);
        }, new HashSet<string> { "text" });
        return 0;
    }

    static string SelectTemplate(JsonElement row, ChatTemplates? templates, string modelDir, bool hasTools)
    {
        if (row.TryGetProperty("template", out var t) && t.ValueKind == JsonValueKind.String)
            return templates?.Select(t.GetString(), hasTools) ?? t.GetString()!;
        if (row.TryGetProperty("template_name", out var n) && n.ValueKind == JsonValueKind.String)
        {
            string name = n.GetString()!;
            if (templates is not null && templates.Named.TryGetValue(name, out var named)) return named;
            throw new InvalidDataException(
                $"template_name '{name}' is not a chat template of '{modelDir}' (available: {(templates is null ? "none" : string.Join(", ", templates.Named.Keys))}); " +
                "add additional_chat_templates/<name>.jinja or pass the template text in \"template\"");
        }
        if (templates is null)
            throw new FileNotFoundException($"No chat template in '{modelDir}': looked for chat_template.jinja, chat_template.json, " +
                "tokenizer_config.json 'chat_template' and additional_chat_templates/*.jinja; or give the row a \"template\".");
        return templates.Select(null, hasTools);
    }
}
