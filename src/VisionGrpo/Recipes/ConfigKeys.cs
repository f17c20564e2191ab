using System.Globalization;
using System.Reflection;

namespace VisionGrpo.Recipes;

/// <summary>The registry of configuration keys, read once from the <see cref="ConfigKeyAttribute"/>s of <see cref="RecipeConfig"/>.</summary>
public static class ConfigKeys
{
    /// <summary>One key: its attribute and the property it sets.</summary>
    public sealed record Key(ConfigKeyAttribute Meta, PropertyInfo Property)
    {
        /// <summary>Canonical name.</summary>
        public string Name => Meta.Name;
    }

    static readonly Lazy<IReadOnlyList<Key>> AllKeys = new(() =>
        typeof(RecipeConfig).GetProperties()
            .Select(p => (p, a: p.GetCustomAttribute<ConfigKeyAttribute>()))
            .Where(t => t.a is not null)
            .Select(t => new Key(t.a!, t.p))
            .ToList());

    static readonly Lazy<IReadOnlyDictionary<string, Key>> ByName = new(() =>
    {
        var map = new Dictionary<string, Key>(StringComparer.Ordinal);
        foreach (var k in AllKeys.Value)
        {
            map.Add(k.Meta.Name, k);
            foreach (var alias in k.Meta.Aliases) map.Add(alias, k);
        }
        return map;
    });

    /// <summary>All keys in declaration order.</summary>
    public static IReadOnlyList<Key> All => AllKeys.Value;

    /// <summary>Finds a key by its name or alias; unknown names throw with the closest known key.</summary>
    public static Key Find(string name, string where)
    {
        if (ByName.Value.TryGetValue(name, out var key)) return key;
        string? hint = Closest(name);
        throw new ConfigException($"{where}: unknown key '{name}'" + (hint is null ? "." : $"; did you mean '{hint}'?"));
    }

    static string? Closest(string name)
    {
        var best = ByName.Value.Keys
            .Select(k => (k, d: Levenshtein(name.ToLowerInvariant(), k)))
            .OrderBy(t => t.d).ThenBy(t => t.k, StringComparer.Ordinal).First();
        return best.d <= Math.Max(3, name.Length / 2) ? best.k : null;
    }

    static int Levenshtein(string a, string b)
    {
        var prev = new int[b.Length + 1];
        var cur = new int[b.Length + 1];
        for (int j = 0; j <= b.Length; j++) prev[j] = j;
        for (int i = 1; i <= a.Length; i++)
        {
            cur[0] = i;
            for (int j = 1; j <= b.Length; j++)
                cur[j] = Math.Min(Math.Min(cur[j - 1] + 1, prev[j] + 1), prev[j - 1] + (a[i - 1] == b[j - 1] ? 0 : 1));
            (prev, cur) = (cur, prev);
        }
        return prev[b.Length];
    }

    /// <summary>Formats a value for people: <c>1e-05</c>, <c>true</c>, lists as <c>[format, accuracy]</c> (the <c>--set</c> syntax), maps as <c>{k: v}</c>.</summary>
    public static string Format(object? value) => value switch
    {
        null => "null",
        string s => s,
        bool b => b ? "true" : "false",
        double d => d.ToString("R", CultureInfo.InvariantCulture).Replace("E", "e"),
        IFormattable f => f.ToString(null, CultureInfo.InvariantCulture),
        System.Collections.IDictionary map => "{" + string.Join(", ", map.Keys.Cast<object>().Select(k => $"{Format(k)}: {Format(map[k])}")) + "}",
        System.Collections.IEnumerable list => "[" + string.Join(", ", list.Cast<object?>().Select(Format)) + "]",
        _ => value.ToString() ?? "null",
    };
}
