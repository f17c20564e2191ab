using System.CommandLine;
using VisionGrpo.Recipes;

namespace VisionGrpo.Cli;

/// <summary>
/// Every recipe key as a flag, the way <c>trl grpo</c> takes every GRPOConfig field: <c>--learning_rate 1e-5</c> or
/// <c>--learning-rate 1e-5</c>; a bare boolean flag means true (<c>--use_peft</c>); a list takes several values
/// (<c>--lora_target_modules q_proj v_proj</c>) or one comma-separated value. The flags are hidden from --help (there
/// are ~100; <c>visiongrpo config --keys</c> lists them) and become <c>key=value</c> overrides applied before --set.
/// </summary>
internal sealed class RecipeKeyFlags
{
    readonly List<(ConfigKeys.Key Key, Option<string[]> Option)> _flags = [];

    /// <summary>
    /// Adds a flag for each key to <paramref name="command"/>, skipping keys whose spelling a verb option already
    /// uses (eval's --temperature, --seed: the verb's option means the same thing).
    /// </summary>
    public void AddTo(Command command)
    {
        var taken = command.Options.SelectMany(o => o.Aliases.Append(o.Name)).ToHashSet(StringComparer.Ordinal);
        foreach (var key in ConfigKeys.All)
        {
            var names = key.Meta.Aliases.Prepend(key.Name)
                .SelectMany(n => new[] { "--" + n, "--" + n.Replace('_', '-') })
                .Distinct(StringComparer.Ordinal).ToArray();
            if (names.Any(taken.Contains)) continue;
            var option = new Option<string[]>(names[0], names[1..])
            {
                Description = key.Meta.Help,
                Hidden = true,
                Arity = ArgumentArity.ZeroOrMore,
                AllowMultipleArgumentsPerToken = true,
            };
            command.Options.Add(option);
            _flags.Add((key, option));
        }
    }

    /// <summary>The flags given on the command line as <c>key=value</c> overrides (the syntax of --set).</summary>
    /// <exception cref="ArgumentException">A scalar key got several values, or a non-boolean key none.</exception>
    public IEnumerable<string> Overrides(ParseResult parse)
    {
        foreach (var (key, option) in _flags)
        {
            if (parse.GetResult(option) is not { } result) continue;
            string[] values = parse.GetValue(option) ?? [];
            string flag = result.IdentifierToken?.Value ?? option.Name;
            yield return key.Name + "=" + Value(key, values, flag);
        }
    }

    static string Value(ConfigKeys.Key key, string[] values, string flag)
    {
        var type = Nullable.GetUnderlyingType(key.Property.PropertyType) ?? key.Property.PropertyType;
        bool isList = type == typeof(List<string>) || type == typeof(List<double>);
        if (values.Length == 0)
            return type == typeof(bool) ? "true" : throw new ArgumentException($"{flag} needs a value (e.g. {flag} VALUE).");
        if (isList && values.Length > 1)
            return "[" + string.Join(", ", values.Select(Quote)) + "]";
        if (values.Length > 1)
            throw new ArgumentException($"{flag} takes one value, got {values.Length}: {string.Join(" ", values.Select(v => $"'{v}'"))}.");
        return values[0];
    }

    // A double-quoted YAML flow item keeps commas, colons and brackets inside one list element.
    static string Quote(string s) => "\"" + s.Replace("\\", "\\\\").Replace("\"", "\\\"") + "\"";
}
