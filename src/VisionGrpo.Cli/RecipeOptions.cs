using System.CommandLine;
using VisionGrpo.Recipes;

namespace VisionGrpo.Cli;

/// <summary>
/// <c>-c/--config FILE</c>, every recipe key as a flag (<see cref="RecipeKeyFlags"/>), repeatable <c>--set key=value</c>,
/// <c>--print-config</c> and <c>--device</c>, shared by the verbs that run a recipe (train, sft, eval, config).
/// </summary>
internal sealed class RecipeOptions
{
    readonly RecipeKeyFlags _keyFlags = new();

    public readonly Option<FileInfo?> Config = new("--config", "-c")
    {
        Description = "YAML config with TRL/PEFT option names (see recipes/).",
    };
    public readonly Option<string[]> Set = new("--set")
    {
        Description = "Override one key: --set learning_rate=1e-5 (repeatable; lists as [a,b]). Every key is also a flag: --learning_rate 1e-5 (keys: visiongrpo config --keys).",
        AllowMultipleArgumentsPerToken = false,
        Arity = ArgumentArity.ZeroOrMore,
    };
    public readonly Option<bool> PrintConfig = new("--print-config")
    {
        Description = "Print the effective config and exit.",
    };
    public readonly Option<string?> Device = DeviceOption.Create();

    /// <summary>
    /// Adds the options to <paramref name="command"/>; call it after the verb's own options, so a key flag never
    /// shadows one of them.
    /// </summary>
    public void AddTo(Command command, bool printConfig = true)
    {
        command.Options.Add(Config);
        command.Options.Add(Set);
        if (printConfig) command.Options.Add(PrintConfig);
        // Before the key flags, so the binder leaves the recipe key device to this option.
        command.Options.Add(Device);
        _keyFlags.AddTo(command);
    }

    /// <summary>The overrides in the order they apply: key flags, then --set, then --device.</summary>
    public IReadOnlyList<string> Overrides(ParseResult result, IEnumerable<string>? first = null) =>
        [.. first ?? [], .. _keyFlags.Overrides(result), .. result.GetValue(Set) ?? [], .. DeviceOption.AsRecipeSet(result.GetValue(Device))];

    /// <summary>
    /// Whether the command line names its own model or dataset (as a flag or with --set): `train` without --config then
    /// starts from TRL's defaults, as `trl grpo --model_name_or_path …` does, not from the demo recipe.
    /// </summary>
    public bool NamesOwnModelOrData(ParseResult result) =>
        Overrides(result).Select(o => o.Split('=', 2)[0].Trim()).Any(OwnRunKeys.Contains);

    static readonly HashSet<string> OwnRunKeys = ConfigKeys.All
        .Where(k => k.Name is "model_name_or_path" or "dataset_name")
        .SelectMany(k => k.Meta.Aliases.Prepend(k.Name)).ToHashSet(StringComparer.Ordinal);

    /// <summary>
    /// The effective config: <paramref name="defaultConfig"/> (if any) unless --config is given, then
    /// <paramref name="defaultOverrides"/>, key flags, --set and --device.
    /// </summary>
    public RecipeConfig Load(ParseResult result, string? defaultConfig = null, IEnumerable<string>? defaultOverrides = null)
    {
        string? path = result.GetValue(Config)?.FullName ?? defaultConfig;
        return RecipeLoader.Load(path, Overrides(result, defaultOverrides));
    }
}
