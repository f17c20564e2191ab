using System.CommandLine;
using Spectre.Console;
using VisionGrpo.Models;
using VisionGrpo.Models.Qwen2_5_VL;

namespace VisionGrpo.Cli.Commands;

/// <summary><c>visiongrpo model info MODEL</c>: parameter counts and memory estimates from config.json alone.</summary>
internal static class ModelInfoCommand
{
    public static Command Create()
    {
        var model = new Argument<string>("MODEL") { Description = "Model folder (only config.json is read) or a hub id in the HF cache." };
        var command = new Command("info", "Parameter counts (vision / language / lm_head / total), dtype and memory estimates; nothing is allocated.");
        command.Arguments.Add(model);
        command.SetAction(parse => Run(parse.GetValue(model)!));
        return command;
    }

    static int Run(string model)
    {
        string folder = ModelLocator.Resolve(model);
        var config = QwenVLConfig.Load(folder);
        var counts = ParameterCounts.FromConfig(config);
        var t = config.Text;
        var table = new Table().HideHeaders().AddColumn("key").AddColumn("value");
        void Row(string k, string v) => table.AddRow(Markup.Escape(k), Markup.Escape(v));
        Row("model_type", config.ModelType);
        Row("dtype", config.TorchDtype ?? "(not set)");
        Row("text", $"{t.NumHiddenLayers} layers, hidden {t.HiddenSize}, {t.NumAttentionHeads} heads / {t.NumKeyValueHeads} KV (head_dim {t.HeadDim}), MLP {t.IntermediateSize}, vocab {t.VocabSize}");
        if (config.Vision is { } v)
            Row("vision", $"{v.Depth} blocks, hidden {v.HiddenSize}, {v.NumHeads} heads, MLP {v.MlpWidth}, out {v.OutHiddenSize}" +
                (v.DeepstackLevels > 0 ? $", {v.DeepstackLevels} DeepStack levels" : ""));
        Row("vision parameters", counts.Vision.ToString("N0"));
        Row("language parameters", counts.Language.ToString("N0"));
        Row("lm_head parameters", t.TieWordEmbeddings ? "tied to embed_tokens (0 extra)" : counts.LmHead.ToString("N0"));
        Row("total parameters", counts.Total.ToString("N0"));
        Row("memory fp32", Gib(counts.Total * 4));
        Row("memory bf16", Gib(counts.Total * 2));
        Row("KV cache bf16", $"{2L * 2 * t.NumHiddenLayers * t.KeyValueWidth:N0} bytes per token");
        AnsiConsole.Write(table);
        return 0;
    }

    static string Gib(long bytes) => $"{bytes / (1024.0 * 1024 * 1024):F2} GiB ({bytes:N0} bytes)";
}
