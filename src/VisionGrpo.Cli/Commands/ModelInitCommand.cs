using System.CommandLine;
using VisionGrpo.Models;
using VisionGrpo.Models.Qwen2_5_VL;
using VisionGrpo.Tensors;

namespace VisionGrpo.Cli.Commands;

/// <summary><c>visiongrpo model init</c>: a randomly initialised model folder from a config and a tokenizer folder.</summary>
internal static class ModelInitCommand
{
    public static Command Create()
    {
        var config = new Option<string>("--config") { Description = "config.json of the architecture to build.", Required = true };
        var tokenizer = new Option<string>("--tokenizer") { Description = "Folder whose tokenizer/processor files (and generation_config.json) are copied.", Required = true };
        var output = new Option<string>("--output") { Description = "Folder to write (created if missing).", Required = true };
        var seed = new Option<long>("--seed") { Description = "Random seed.", DefaultValueFactory = _ => 0 };
        var dtype = ModelOptions.DType();
        var command = new Command("init", "Write a randomly initialised model folder (config, safetensors, generation_config, tokenizer and processor files).");
        command.Options.Add(config);
        command.Options.Add(tokenizer);
        command.Options.Add(output);
        command.Options.Add(seed);
        command.Options.Add(dtype);
        command.SetAction(parse => Run(parse.GetValue(config)!, parse.GetValue(tokenizer)!, parse.GetValue(output)!,
            parse.GetValue(seed), ModelOptions.ParseDType(parse.GetValue(dtype)!)));
        return command;
    }

    static int Run(string configPath, string tokenizer, string output, long seed, TorchSharp.torch.ScalarType dtype)
    {
        if (!Directory.Exists(tokenizer)) throw new DirectoryNotFoundException($"--tokenizer '{tokenizer}' is not a folder.");
        var config = QwenVLConfig.Load(configPath);
        TorchRuntime.EnsureInitialized();
        using var model = new QwenVLForConditionalGeneration(config, dtype);
        double std = InitializerRange(config);
        ModelInitializer.Initialize(model, seed, std);
        ModelFolder.Save(model, output, tokenizer);
        Console.WriteLine($"wrote {output}: {ParameterCounts.FromConfig(config).Total:N0} parameters, {ModelFolder.DTypeName(dtype)}, seed {seed}");
        return 0;
    }

    static double InitializerRange(QwenVLConfig config)
    {
        // Qwen3-VL keeps it inside text_config only.
        using var doc = System.Text.Json.JsonDocument.Parse(config.RawJson);
        var root = doc.RootElement;
        foreach (var scope in new[] { root, root.TryGetProperty("text_config", out var text) ? text : default })
            if (scope.ValueKind == System.Text.Json.JsonValueKind.Object && scope.TryGetProperty("initializer_range", out var v)
                && v.ValueKind == System.Text.Json.JsonValueKind.Number)
                return v.GetDouble();
        return 0.02;
    }
}
