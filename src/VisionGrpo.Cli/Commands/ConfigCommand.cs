using System.CommandLine;
using Spectre.Console;
using VisionGrpo.Recipes;

namespace VisionGrpo.Cli.Commands;

/// <summary><c>visiongrpo config</c>: print the effective config of a recipe, or list every key.</summary>
internal static class ConfigCommand
{
    public static Command Create()
    {
        var recipe = new RecipeOptions();
        var keys = new Option<bool>("--keys") { Description = "List every key with its default and meaning." };
        var command = new Command("config", "Print the effective configuration (TRL defaults + trl_compat + --config + --set).");
        recipe.AddTo(command);
        command.Options.Add(keys);
        command.SetAction(result =>
        {
            var config = recipe.Load(result);
            if (result.GetValue(keys)) PrintKeys(config);
            else Console.Out.Write(RecipeWriter.ToYaml(config));
            return 0;
        });
        return command;
    }

    static void PrintKeys(RecipeConfig defaults)
    {
        var table = new Table().AddColumn("key").AddColumn("default").AddColumn("meaning");
        foreach (var key in ConfigKeys.All)
        {
            string name = key.Meta.Aliases.Length == 0 ? key.Name : $"{key.Name} ({string.Join(", ", key.Meta.Aliases)})";
            table.AddRow(Markup.Escape(name), Markup.Escape(ConfigKeys.Format(key.Property.GetValue(defaults))), Markup.Escape(key.Meta.Help));
        }
        AnsiConsole.Write(table);
    }
}
