using System.Collections;
using System.Text;

namespace VisionGrpo.Recipes;

/// <summary>Prints the effective configuration as YAML that <see cref="RecipeLoader"/> reads back unchanged.</summary>
public static class RecipeWriter
{
    /// <summary>Every key, grouped as in TRL's docs, one <c>key: value</c> line each.</summary>
    public static string ToYaml(RecipeConfig config) => ToYaml(config, _ => true);

    /// <summary>
    /// Only the keys whose value differs from the defaults of the config's <c>trl_compat</c> (plus <c>trl_compat</c>
    /// itself): what a recipe and its overrides changed, in a form <see cref="RecipeLoader"/> reads back to the same
    /// effective config.
    /// </summary>
    public static string ChangedYaml(RecipeConfig config)
    {
        var defaults = RecipeLoader.Load(null, [$"trl_compat={config.TrlCompat}"]);
        return ToYaml(config, key => key.Name == "trl_compat"
            || Value(key.Property.GetValue(config)) != Value(key.Property.GetValue(defaults)));
    }

    static string ToYaml(RecipeConfig config, Func<ConfigKeys.Key, bool> include)
    {
        var sb = new StringBuilder();
        foreach (var group in ConfigKeys.All.Where(include).GroupBy(k => k.Meta.Group))
        {
            sb.Append("# ").Append(group.Key).Append('\n');
            foreach (var key in group)
                sb.Append(key.Name).Append(": ").Append(Value(key.Property.GetValue(config))).Append('\n');
        }
        return sb.ToString();
    }

    static string Value(object? value) => value switch
    {
        string s => Quote(s),
        IDictionary map => "{" + string.Join(", ", map.Keys.Cast<object>().Select(k => $"{Quote(k.ToString()!)}: {Quote(map[k]?.ToString() ?? "")}")) + "}",
        IEnumerable list => "[" + string.Join(", ", list.Cast<object>().Select(Value)) + "]",
        _ => ConfigKeys.Format(value),
    };

    // Double-quoted YAML scalars keep every string exactly (newlines, colons, leading spaces).
    static string Quote(string s) => "\"" + s.Replace("\\", "\\\\").Replace("\"", "\\\"").Replace("\n", "\\n").Replace("\t", "\\t") + "\"";
}
