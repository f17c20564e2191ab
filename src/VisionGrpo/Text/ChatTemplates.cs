using System.Text.Json;

namespace VisionGrpo.Text;

/// <summary>
/// The chat templates of a model folder, found with transformers' precedence: the processor's
/// <c>chat_template.jinja</c>, then the legacy processor file <c>chat_template.json</c>, then
/// <c>tokenizer_config.json</c>'s <c>chat_template</c> (a string or a list of named templates); named templates in
/// <c>additional_chat_templates/*.jinja</c> are added. A single template is stored under the name <c>default</c>.
/// </summary>
public sealed class ChatTemplates
{
    /// <summary>Name of the template used when none is requested.</summary>
    public const string DefaultName = "default";

    /// <summary>Templates by name (source text).</summary>
    public IReadOnlyDictionary<string, string> Named { get; }
    /// <summary>The file the main template was read from (for messages).</summary>
    public string SourceFile { get; }

    ChatTemplates(IReadOnlyDictionary<string, string> named, string sourceFile)
    {
        Named = named;
        SourceFile = sourceFile;
    }

    /// <summary>Loads the templates of <paramref name="modelDir"/>, or null when it has none.</summary>
    public static ChatTemplates? FromDirectory(string modelDir)
    {
        var named = new Dictionary<string, string>(StringComparer.Ordinal);
        string? source = null;
        string jinja = Path.Combine(modelDir, "chat_template.jinja");
        string processorJson = Path.Combine(modelDir, "chat_template.json");
        string tokenizerConfig = Path.Combine(modelDir, "tokenizer_config.json");
        if (File.Exists(jinja))
        {
            named[DefaultName] = File.ReadAllText(jinja);
            source = jinja;
        }
        else if (File.Exists(processorJson) && ReadTemplateField(processorJson, named))
            source = processorJson;
        else if (File.Exists(tokenizerConfig) && ReadTemplateField(tokenizerConfig, named))
            source = tokenizerConfig;

        string extraDir = Path.Combine(modelDir, "additional_chat_templates");
        if (Directory.Exists(extraDir))
        {
            foreach (var file in Directory.EnumerateFiles(extraDir, "*.jinja").Order(StringComparer.Ordinal))
                named.TryAdd(Path.GetFileNameWithoutExtension(file), File.ReadAllText(file));
            source ??= extraDir;
        }
        return source is null ? null : new ChatTemplates(named, source);
    }

    /// <summary>Reads a <c>chat_template</c> field: a string, or a list of <c>{name, template}</c> objects.</summary>
    static bool ReadTemplateField(string path, Dictionary<string, string> named)
    {
        using var doc = TokenizerConfig.ParseFile(path);
        if (!doc.RootElement.TryGetProperty("chat_template", out var t)) return false;
        switch (t.ValueKind)
        {
            case JsonValueKind.String:
                named[DefaultName] = t.GetString()!;
                return true;
            case JsonValueKind.Array:
                foreach (var entry in t.EnumerateArray())
                {
                    if (entry.ValueKind != JsonValueKind.Object || !entry.TryGetProperty("name", out var n) || !entry.TryGetProperty("template", out var tpl))
                        throw new InvalidDataException($"{path}: each entry of the 'chat_template' list needs 'name' and 'template'.");
                    named[n.GetString()!] = tpl.GetString()!;
                }
                return named.Count > 0;
            case JsonValueKind.Null:
                return false;
            default:
                throw new InvalidDataException($"{path}: 'chat_template' must be a string or a list of {{name, template}} objects.");
        }
    }

    /// <summary>
    /// Picks the template source as transformers' <c>get_chat_template</c> does: a requested name that exists is
    /// used; any other requested string is itself a template; with no request, <c>tool_use</c> when tools are given
    /// and present, else <c>default</c>.
    /// </summary>
    /// <exception cref="InvalidOperationException">Several templates, none named default, and none requested.</exception>
    public string Select(string? nameOrTemplate = null, bool hasTools = false)
    {
        if (nameOrTemplate is not null)
            return Named.TryGetValue(nameOrTemplate, out var byName) ? byName : nameOrTemplate;
        if (hasTools && Named.TryGetValue("tool_use", out var toolUse)) return toolUse;
        if (Named.TryGetValue(DefaultName, out var main)) return main;
        throw new InvalidOperationException(
            $"{SourceFile} has several chat templates and no default; pass one of these names: {string.Join(", ", Named.Keys)}.");
    }
}
