using YamlDotNet.RepresentationModel;
using VisionGrpo.Formats;

namespace VisionGrpo.Data.Loading;

/// <summary>One <c>configs:</c> entry of a dataset card: a config name and its split → file patterns.</summary>
/// <param name="Name">The <c>config_name</c>.</param>
/// <param name="IsDefault">True for <c>default: true</c> or the config named <c>default</c>.</param>
/// <param name="DataFiles">Split name → glob patterns, in card order.</param>
internal sealed record DatasetConfig(string Name, bool IsDefault, IReadOnlyList<KeyValuePair<string, IReadOnlyList<string>>> DataFiles);

/// <summary>The YAML header of a dataset's <c>README.md</c>: the <c>configs</c>/<c>data_files</c> that map split names to files.</summary>
internal sealed class DatasetCard
{
    DatasetCard(IReadOnlyList<DatasetConfig> configs) => Configs = configs;

    /// <summary>The configs declared by the card (possibly none).</summary>
    public IReadOnlyList<DatasetConfig> Configs { get; }

    /// <summary>Reads <c>README.md</c> in <paramref name="dir"/>; null if there is no card or no YAML header.</summary>
    /// <exception cref="InvalidDataException">The YAML header is malformed.</exception>
    public static DatasetCard? Read(string dir)
    {
        string file = Path.Combine(dir, "README.md");
        if (!File.Exists(file)) return null;
        string text = File.ReadAllText(file).ReplaceLineEndings("\n");
        if (!text.StartsWith("---\n", StringComparison.Ordinal)) return null;
        int end = text.IndexOf("\n---", 4, StringComparison.Ordinal);
        if (end < 0) return null;
        return Parse(text[4..end], file);
    }

    /// <summary>Parses the YAML header text.</summary>
    public static DatasetCard Parse(string yaml, string source)
    {
        YamlStream stream;
        try { stream = YamlText.Load(yaml); }
        catch (YamlDotNet.Core.YamlException e) { throw new InvalidDataException($"{source}: invalid YAML header: {e.Message}", e); }
        var configs = new List<DatasetConfig>();
        if (stream.Documents.Count == 0 || stream.Documents[0].RootNode is not YamlMappingNode root) return new DatasetCard(configs);
        if (!root.Children.TryGetValue(new YamlScalarNode("configs"), out var node)) return new DatasetCard(configs);
        if (node is not YamlSequenceNode seq) throw new InvalidDataException($"{source}: 'configs' must be a list");
        foreach (var item in seq)
        {
            if (item is not YamlMappingNode m) throw new InvalidDataException($"{source}: each 'configs' entry must be a mapping");
            string name = Scalar(m, "config_name") ?? "default";
            bool isDefault = Scalar(m, "default") is "true" or "True" || name == "default";
            m.Children.TryGetValue(new YamlScalarNode("data_files"), out var files);
            configs.Add(new DatasetConfig(name, isDefault, DataFiles(files, source, name)));
        }
        return new DatasetCard(configs);
    }

    /// <summary>The config to use: <paramref name="name"/>, else the default one, else the only one.</summary>
    /// <exception cref="ArgumentException">The named config does not exist, or several exist and none is default.</exception>
    public DatasetConfig? Select(string? name)
    {
        if (Configs.Count == 0) return null;
        if (name is not null)
            return Configs.FirstOrDefault(c => c.Name == name)
                ?? throw new ArgumentException($"config '{name}' not found; the card declares: {string.Join(", ", Configs.Select(c => c.Name))}");
        return Configs.FirstOrDefault(c => c.IsDefault) ?? (Configs.Count == 1 ? Configs[0]
            : throw new ArgumentException($"the dataset has several configs ({string.Join(", ", Configs.Select(c => c.Name))}); pick one"));
    }

    static string? Scalar(YamlMappingNode m, string key) =>
        m.Children.TryGetValue(new YamlScalarNode(key), out var v) && v is YamlScalarNode s ? s.Value : null;

    // data_files: "pattern" | ["p1", "p2"] | [{split: train, path: "p" | ["p1"]}, ...] | {train: "p", test: [...]}
    static List<KeyValuePair<string, IReadOnlyList<string>>> DataFiles(YamlNode? node, string source, string config)
    {
        var result = new List<KeyValuePair<string, IReadOnlyList<string>>>();
        switch (node)
        {
            case null:
                break;
            case YamlScalarNode s:
                result.Add(new("train", [s.Value!]));
                break;
            case YamlSequenceNode seq when seq.All(n => n is YamlScalarNode):
                result.Add(new("train", seq.Select(n => ((YamlScalarNode)n).Value!).ToList()));
                break;
            case YamlSequenceNode seq:
                foreach (var n in seq)
                {
                    if (n is not YamlMappingNode m || Scalar(m, "split") is not { } split || !m.Children.TryGetValue(new YamlScalarNode("path"), out var p))
                        throw new InvalidDataException($"{source}: config '{config}': each data_files entry needs 'split' and 'path'");
                    result.Add(new(split, Patterns(p)));
                }
                break;
            case YamlMappingNode map:
                foreach (var (k, v) in map.Children) result.Add(new(((YamlScalarNode)k).Value!, Patterns(v)));
                break;
        }
        return result;
    }

    static List<string> Patterns(YamlNode n) => n switch
    {
        YamlScalarNode s => [s.Value!],
        YamlSequenceNode seq => seq.OfType<YamlScalarNode>().Select(s => s.Value!).ToList(),
        _ => [],
    };
}
