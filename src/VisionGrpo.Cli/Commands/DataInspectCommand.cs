using System.CommandLine;
using Spectre.Console;
using VisionGrpo.Data;
using VisionGrpo.Data.Hub;
using VisionGrpo.Data.Loading;

namespace VisionGrpo.Cli.Commands;

/// <summary><c>visiongrpo data inspect</c>: rows, columns, features and the first rows of a dataset (images as size only).</summary>
internal static class DataInspectCommand
{
    public static Command Create()
    {
        var dataset = new Argument<string>("dataset") { Description = "Dataset folder, data file, or Hub dataset repo id (org/name)." };
        var split = new Option<string>("--split") { Description = "Split string, e.g. train or \"train[:5%]\".", DefaultValueFactory = _ => "train" };
        var head = new Option<int>("--head") { Description = "How many first rows to show.", DefaultValueFactory = _ => 3 };
        var oldHead = CliOptions.OldSpelling("--rows", head);
        var config = new Option<string?>("--dataset-config") { Description = "Dataset card config name, the recipe's dataset_config (default config when omitted)." };
        var oldConfig = CliOptions.OldSpelling("--config", config);
        var command = new Command("inspect", "Show a dataset's rows, columns, features and first rows.") { dataset, split, head, oldHead, config, oldConfig };
        command.SetAction(parse =>
        {
            string path = RepoLocator.Resolve(parse.GetValue(dataset)!, RepoType.Dataset);
            var ds = DatasetLoader.Load(path, parse.GetValue(split)!, CliOptions.ValueOf(parse, config, oldConfig));
            AnsiConsole.MarkupLine($"[bold]{Markup.Escape(ds.Name)}[/] split [bold]{Markup.Escape(parse.GetValue(split)!)}[/]: {ds.Count} rows");
            var features = new Table().AddColumn("column").AddColumn("feature");
            foreach (var (name, feature) in ds.Features) features.AddRow(Markup.Escape(name), Markup.Escape(feature.ToString()));
            AnsiConsole.Write(features);
            int n = Math.Min(CliOptions.ValueOf(parse, head, oldHead), ds.Count);
            if (n <= 0) return 0;
            var rows = new Table().AddColumn("#");
            foreach (string c in ds.ColumnNames) rows.AddColumn(Markup.Escape(c));
            for (int i = 0; i < n; i++)
                rows.AddRow([i.ToString(System.Globalization.CultureInfo.InvariantCulture), .. ds[i].Values.Select(v => Markup.Escape(Show(v)))]);
            AnsiConsole.Write(rows);
            return 0;
        });
        return command;
    }

    static string Show(object? value)
    {
        switch (value)
        {
            case null: return "null";
            case ImageCell img:
                try
                {
                    byte[] bytes = img.ReadBytes();
                    return ImageProbe.TryProbe(bytes) is { } info
                        ? $"{info.Format} {info.Width}x{info.Height} ({bytes.Length} bytes)"
                        : $"undecodable image ({bytes.Length} bytes)";
                }
                catch (Exception e) when (e is IOException or InvalidDataException) { return $"unreadable image: {e.Message}"; }
            case string s:
                string flat = s.ReplaceLineEndings("\\n");
                return flat.Length <= 80 ? flat : flat[..77] + "...";
            case System.Collections.IEnumerable list:
                return "[" + string.Join(", ", list.Cast<object?>().Take(8).Select(Show)) + "]";
            default:
                return Convert.ToString(value, System.Globalization.CultureInfo.InvariantCulture) ?? "";
        }
    }
}
