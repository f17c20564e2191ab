using System.Globalization;
using YamlDotNet.Core;
using YamlDotNet.RepresentationModel;
using VisionGrpo.Formats;

namespace VisionGrpo.Recipes;

/// <summary>
/// Builds the effective <see cref="RecipeConfig"/>: TRL defaults, then the version defaults of <c>trl_compat</c>,
/// then the YAML file, then <c>--set key=value</c> overrides (the value is read as YAML, so lists work:
/// <c>--set lora_target_modules=[q_proj,v_proj]</c>). Every error names the file, line and key.
/// </summary>
public static class RecipeLoader
{
    /// <summary>Loads <paramref name="yamlPath"/> (optional) and applies <paramref name="overrides"/>.</summary>
    public static RecipeConfig Load(string? yamlPath, IEnumerable<string>? overrides = null)
    {
        var entries = new List<(string Key, YamlNode Value, string Where)>();
        if (yamlPath is not null) entries.AddRange(ReadFile(yamlPath));
        foreach (var o in overrides ?? []) entries.Add(ParseOverride(o));

        var config = new RecipeConfig();
        // trl_compat decides the defaults that changed between TRL releases, so it is applied first.
        foreach (var (key, value, where) in entries.Where(e => ConfigKeys.Find(e.Key, e.Where).Name == "trl_compat"))
            config.TrlCompat = TrlDefaults.Normalize(Scalar(value, key, where));
        foreach (var (name, value) in TrlDefaults.For(config.TrlCompat))
            ConfigKeys.Find(name, "trl_compat defaults").Property.SetValue(config, value);
        bool bf16Auto = false;
        foreach (var (key, value, where) in entries)
        {
            var found = ConfigKeys.Find(key, where);
            // bf16: auto is resolved below, once the device is known (the last assignment wins, as for every key).
            if (found.Name == "bf16") bf16Auto = value is YamlScalarNode { Value: { } v } && v.Trim().Equals("auto", StringComparison.OrdinalIgnoreCase);
            if (!bf16Auto || found.Name != "bf16") Assign(config, found, value, where);
        }
        if (bf16Auto) config.Bf16 = FastBFloat16On(config.Device);

        RecipeValidator.Validate(config);
        return config;
    }

    // bf16: auto = bf16 compute where the device has fast bf16 products (CUDA; a CPU with AVX512-BF16 or AMX).
    static bool FastBFloat16On(string device)
    {
        try { return VisionGrpo.Tensors.TorchRuntime.HasFastBFloat16(VisionGrpo.Tensors.DeviceSpec.Parse(device)); }
        catch (ArgumentException) { return false; } // a bad device is reported where the model is loaded
    }

    static IEnumerable<(string, YamlNode, string)> ReadFile(string path)
    {
        if (!File.Exists(path)) throw new ConfigException($"config file '{path}' does not exist.");
        YamlStream stream;
        try
        {
            stream = YamlText.Load(File.ReadAllText(path));
        }
        catch (YamlException e)
        {
            throw new ConfigException($"{path}:{e.Start.Line}:{e.Start.Column}: invalid YAML: {e.InnerException?.Message ?? e.Message}");
        }
        if (stream.Documents.Count == 0) yield break;
        if (stream.Documents[0].RootNode is not YamlMappingNode root)
            throw new ConfigException($"{path}: the config must be a mapping of key: value pairs.");
        var seen = new HashSet<string>(StringComparer.Ordinal);
        foreach (var (k, v) in root.Children)
        {
            string where = $"{path}:{k.Start.Line}";
            if (k is not YamlScalarNode { Value: { } key }) throw new ConfigException($"{where}: keys must be plain names.");
            if (!seen.Add(ConfigKeys.Find(key, where).Name)) throw new ConfigException($"{where}: key '{key}' is set twice.");
            yield return (key, v, where);
        }
    }

    static (string, YamlNode, string) ParseOverride(string text)
    {
        int eq = text.IndexOf('=');
        if (eq <= 0) throw new ConfigException($"--set '{text}': expected key=value.");
        string key = text[..eq].Trim(), raw = text[(eq + 1)..];
        string where = $"--set {key}";
        YamlNode node = new YamlScalarNode(raw);
        string trimmed = raw.Trim();
        if (trimmed.StartsWith('[') || trimmed.StartsWith('{'))
        {
            YamlStream stream;
            try { stream = YamlText.Load(trimmed); }
            catch (YamlException e) { throw new ConfigException($"{where}: invalid list/map value: {e.Message}"); }
            node = stream.Documents[0].RootNode;
        }
        return (key, node, where);
    }

    static void Assign(RecipeConfig config, ConfigKeys.Key key, YamlNode node, string where)
    {
        var type = key.Property.PropertyType;
        var target = Nullable.GetUnderlyingType(type) ?? type;
        bool isNull = node is YamlScalarNode s && IsNull(s);
        if (isNull)
        {
            if (type.IsValueType && Nullable.GetUnderlyingType(type) is null)
                throw new ConfigException($"{where}: '{key.Name}' cannot be null.");
            key.Property.SetValue(config, null);
            return;
        }
        object value = target == typeof(List<string>) ? List(node, key.Name, where, v => v)
            : target == typeof(List<double>) ? List(node, key.Name, where, v => ParseDouble(v, key.Name, where))
            : target == typeof(Dictionary<string, string>) ? Map(node, key.Name, where)
            : ParseScalar(target, Scalar(node, key.Name, where), key.Name, where);
        key.Property.SetValue(config, value);
    }

    static bool IsNull(YamlScalarNode s) =>
        s.Style is ScalarStyle.Plain or ScalarStyle.Any && s.Value is null or "" or "~" or "null" or "None" or "Null" or "NULL";

    static string Scalar(YamlNode node, string key, string where) => node is YamlScalarNode { Value: { } v }
        ? v : throw new ConfigException($"{where}: '{key}' expects a single value.");

    static List<T> List<T>(YamlNode node, string key, string where, Func<string, T> parse) => node switch
    {
        YamlSequenceNode seq => seq.Children.Select(c => parse(Scalar(c, key, where))).ToList(),
        // A comma-separated scalar is accepted too: --set reward_funcs=format,accuracy
        YamlScalarNode { Value: { } v } => v.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries).Select(parse).ToList(),
        _ => throw new ConfigException($"{where}: '{key}' expects a list."),
    };

    static Dictionary<string, string> Map(YamlNode node, string key, string where) => node is YamlMappingNode map
        ? map.Children.ToDictionary(kv => Scalar(kv.Key, key, where), kv => Scalar(kv.Value, key, where))
        : throw new ConfigException($"{where}: '{key}' expects a mapping.");

    /// <summary>Parses one scalar for a key of type <paramref name="target"/>; errors name <paramref name="where"/> and the key.</summary>
    internal static object ParseScalar(Type target, string v, string key, string where)
    {
        if (target == typeof(string)) return v;
        if (target == typeof(bool))
            return v.ToLowerInvariant() switch
            {
                "true" or "yes" or "on" or "1" => true,
                "false" or "no" or "off" or "0" => false,
                _ => throw new ConfigException($"{where}: '{key}' expects true or false, got '{v}'."),
            };
        if (target == typeof(int))
            return int.TryParse(v, NumberStyles.Integer, CultureInfo.InvariantCulture, out int i) ? i
                : throw new ConfigException($"{where}: '{key}' expects an integer, got '{v}'.");
        if (target == typeof(long))
            return long.TryParse(v, NumberStyles.Integer, CultureInfo.InvariantCulture, out long l) ? l
                : throw new ConfigException($"{where}: '{key}' expects an integer, got '{v}'.");
        if (target == typeof(double)) return ParseDouble(v, key, where);
        throw new InvalidOperationException($"config key '{key}' has unsupported type {target.Name}.");
    }

    static double ParseDouble(string v, string key, string where) =>
        double.TryParse(v, NumberStyles.Float, CultureInfo.InvariantCulture, out double d) && double.IsFinite(d) ? d
            : throw new ConfigException($"{where}: '{key}' expects a number, got '{v}'.");
}
