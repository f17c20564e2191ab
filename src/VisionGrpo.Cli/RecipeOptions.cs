using System.CommandLine;
using VisionGrpo.Recipes;

namespace VisionGrpo.Cli;

/// <summary><c>--config FILE</c>, repeatable <c>--set key=value</c>, <c>--print-config</c> and <c>--device</c>, shared by the verbs that run a recipe.</summary>
internal sealed class RecipeOptions
{
    public readonly Option<FileInfo?> Config = new("--config", "-c")
    {
        Description = "YAML config with TRL/PEFT option names (see recipes/).",
    };
    public readonly Option<string[]> Set = new("--set")
    {
        Description = "Override one key: --set learning_rate=1e-5 (repeatable; lists as [a,b]).",
        AllowMultipleArgumentsPerToken = false,
        Arity = ArgumentArity.ZeroOrMore,
    };
    public readonly Option<bool> PrintConfig = new("--print-config")
    {
        Description = "Print the effective config and exit.",
    };
    public readonly Option<string?> Device = DeviceOption.Create();

    /// <summary>Adds the options to <paramref name="command"/>.</summary>
    public void AddTo(Command command)
    {
        command.Options.Add(Config);
        command.Options.Add(Set);
        command.Options.Add(PrintConfig);
        command.Options.Add(Device);
    }

    /// <summary>The effective config: <paramref name="defaultConfig"/> (if any) unless --config is given, then --set, then --device.</summary>
    public RecipeConfig Load(ParseResult result, string? defaultConfig = null)
    {
        string? path = result.GetValue(Config)?.FullName ?? defaultConfig;
        return RecipeLoader.Load(path, [.. result.GetValue(Set) ?? [], .. DeviceOption.AsRecipeSet(result.GetValue(Device))]);
    }
}
