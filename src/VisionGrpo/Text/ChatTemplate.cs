using System.Collections.Concurrent;
using System.Text.Json;
using VisionGrpo.Text.Jinja;

namespace VisionGrpo.Text;

/// <summary>
/// Renders a chat template like transformers' <c>apply_chat_template(..., tokenize=False)</c>: variables
/// <c>messages</c>, <c>tools</c> (None when absent), <c>documents</c> (None), <c>add_generation_prompt</c>, the
/// tokenizer's special tokens (<c>eos_token</c>, ...) and any extra kwargs (e.g. <c>add_vision_id</c>).
/// </summary>
public sealed class ChatTemplate
{
    static readonly ConcurrentDictionary<string, JinjaTemplate> Cache = new(StringComparer.Ordinal);

    readonly JinjaTemplate template;

    /// <summary>The template source.</summary>
    public string Source => template.Source;

    /// <summary>Parses a template source (parsed templates are cached by source text).</summary>
    /// <exception cref="JinjaException">The template uses unsupported syntax (message names line and column).</exception>
    public ChatTemplate(string source) => template = Cache.GetOrAdd(source, JinjaTemplate.Parse);

    /// <summary>The template of a model folder (see <see cref="ChatTemplates"/>), by name or default.</summary>
    /// <exception cref="FileNotFoundException">The folder has no chat template.</exception>
    public static ChatTemplate FromDirectory(string modelDir, string? nameOrTemplate = null, bool hasTools = false)
    {
        var templates = ChatTemplates.FromDirectory(modelDir) ?? throw new FileNotFoundException(
            $"No chat template in '{modelDir}': looked for chat_template.jinja, chat_template.json, the 'chat_template' key of " +
            "tokenizer_config.json and additional_chat_templates/*.jinja.");
        return new ChatTemplate(templates.Select(nameOrTemplate, hasTools));
    }

    /// <summary>Renders with template values (see <see cref="JinjaJson.FromJson"/>).</summary>
    /// <param name="messages">The conversation: a list of message dicts.</param>
    /// <param name="addGenerationPrompt">Append the assistant turn header.</param>
    /// <param name="tools">Tool schemas, or null (rendered as None, as transformers does).</param>
    /// <param name="extra">Other template variables; they override the defaults above.</param>
    /// <param name="specialTokens">Special-token variables of the tokenizer (e.g. from <see cref="SpecialTokenVariables"/>).</param>
    public string Render(IReadOnlyList<object?> messages, bool addGenerationPrompt, IReadOnlyList<object?>? tools = null,
        IReadOnlyDictionary<string, object?>? extra = null, IReadOnlyDictionary<string, object?>? specialTokens = null)
    {
        ArgumentNullException.ThrowIfNull(messages);
        var vars = new Dictionary<string, object?>(StringComparer.Ordinal);
        if (specialTokens is not null) foreach (var (k, v) in specialTokens) vars[k] = v;
        vars["messages"] = messages as List<object?> ?? messages.ToList();
        vars["tools"] = tools is null ? null : tools as List<object?> ?? tools.ToList();
        vars["documents"] = null;
        vars["add_generation_prompt"] = addGenerationPrompt;
        if (extra is not null) foreach (var (k, v) in extra) vars[k] = v;
        return template.Render(vars);
    }

    /// <summary>Renders from JSON: <paramref name="messages"/> is the conversation array, <paramref name="kwargs"/> an
    /// object of template variables (<c>add_generation_prompt</c>, <c>tools</c>, <c>add_vision_id</c>, ...).</summary>
    public string Render(JsonElement messages, JsonElement? kwargs = null, IReadOnlyDictionary<string, object?>? specialTokens = null)
    {
        var vars = new Dictionary<string, object?>(StringComparer.Ordinal);
        if (kwargs is { ValueKind: JsonValueKind.Object } k)
            foreach (var p in k.EnumerateObject()) vars[p.Name] = JinjaJson.FromJson(p.Value);
        return RenderWithKwargs(MessagesFromJson(messages), vars, specialTokens);
    }

    /// <summary>Converts a JSON conversation array to template values.</summary>
    /// <exception cref="ArgumentException"><paramref name="messages"/> is not an array.</exception>
    public static List<object?> MessagesFromJson(JsonElement messages) =>
        messages.ValueKind == JsonValueKind.Array
            ? (List<object?>)JinjaJson.FromJson(messages)!
            : throw new ArgumentException("'messages' must be a JSON array of message objects.", nameof(messages));

    /// <summary>Renders with <c>apply_chat_template</c>-style kwargs: <c>add_generation_prompt</c> and <c>tools</c>
    /// are taken from <paramref name="kwargs"/>, every other entry becomes a template variable.</summary>
    public string RenderWithKwargs(IReadOnlyList<object?> messages, IReadOnlyDictionary<string, object?> kwargs,
        IReadOnlyDictionary<string, object?>? specialTokens = null)
    {
        var extra = kwargs.ToDictionary(StringComparer.Ordinal);
        bool addGenerationPrompt = extra.Remove("add_generation_prompt", out var agp) && JinjaValues.IsTruthy(agp);
        extra.Remove("tools", out var tools);
        if (tools is not null and not List<object?>) throw new ArgumentException("'tools' must be a list (JSON array) or null.", nameof(kwargs));
        return Render(messages, addGenerationPrompt, (List<object?>?)tools, extra, specialTokens);
    }

    /// <summary>The special tokens a tokenizer exposes to templates (<c>bos_token</c>, <c>eos_token</c>, ...), as
    /// transformers passes its <c>special_tokens_map</c>; tokens that are not set are left out.</summary>
    public static IReadOnlyDictionary<string, object?> SpecialTokenVariables(TokenizerConfig config)
    {
        var vars = new Dictionary<string, object?>(StringComparer.Ordinal);
        if (config.BosToken is not null) vars["bos_token"] = config.BosToken;
        if (config.EosToken is not null) vars["eos_token"] = config.EosToken;
        if (config.PadToken is not null) vars["pad_token"] = config.PadToken;
        if (config.UnkToken is not null) vars["unk_token"] = config.UnkToken;
        return vars;
    }
}
