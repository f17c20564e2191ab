using System.CommandLine;
using System.Globalization;
using VisionGrpo.Data.Splits;

namespace VisionGrpo.Cli.Commands;

/// <summary><c>visiongrpo data slice</c>: the row ranges a split string selects, as JSON <c>[["train", from, to], …]</c>.</summary>
internal static class DataSliceCommand
{
    public static Command Create()
    {
        var split = new Option<string>("--split") { Description = "Split string, e.g. \"train[:5%]+test[:3]\" or \"train[:5%](pct1_dropremainder)\".", Required = true };
        var sizes = new Option<string>("--split-sizes") { Description = "Split lengths in the dataset's split order, e.g. train=7689,test=100.", Required = true };
        var command = new Command("slice", "Print the row ranges a datasets split string selects, in order, as JSON [[\"train\", from, to], ...].")
        {
            split, sizes,
        };
        command.SetAction(parse => PlainErrors.Run(() =>
        {
            var ranges = SplitSpec.Resolve(parse.GetValue(split)!, ParseSizes(parse.GetValue(sizes)!));
            Console.Out.WriteLine("[" + string.Join(", ", ranges.Select(r => $"[{PyJson.String(r.Split)}, {r.From}, {r.To}]")) + "]");
            return 0;
        }));
        return command;
    }

    /// <summary>Parses <c>name=N,name=M</c> keeping the order (it is the order <c>all</c> expands to).</summary>
    internal static List<KeyValuePair<string, long>> ParseSizes(string text)
    {
        var result = new List<KeyValuePair<string, long>>();
        foreach (string item in text.Split(',', StringSplitOptions.TrimEntries | StringSplitOptions.RemoveEmptyEntries))
        {
            int eq = item.IndexOf('=');
            if (eq <= 0 || !long.TryParse(item[(eq + 1)..], NumberStyles.None, CultureInfo.InvariantCulture, out long n))
                throw new ArgumentException($"--split-sizes: '{item}' is not NAME=ROWS (rows a non-negative integer)");
            string name = item[..eq].Trim();
            if (result.Any(kv => kv.Key == name))
                throw new ArgumentException($"--split-sizes: split '{name}' is given twice");
            result.Add(new(name, n));
        }
        if (result.Count == 0) throw new ArgumentException("--split-sizes: no splits given");
        return result;
    }
}
