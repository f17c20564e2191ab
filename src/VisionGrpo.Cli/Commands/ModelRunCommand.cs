using System.CommandLine;
using TorchSharp;
using VisionGrpo.Models;
using VisionGrpo.Models.Qwen2;
using VisionGrpo.Models.Qwen2_5_VL;
using VisionGrpo.Tensors;
using static TorchSharp.torch;

namespace VisionGrpo.Cli.Commands;

/// <summary>
/// <c>visiongrpo model run</c>: one forward pass (and optional greedy continuation) on tensors from a safetensors
/// file, results written to another — how parity with transformers is checked from outside.
/// </summary>
internal static class ModelRunCommand
{
    public static Command Create()
    {
        var model = new Option<string>("--model") { Description = "Model folder (or hub id in the HF cache).", Required = true };
        var inputs = new Option<string>("--inputs") { Description = "safetensors with input_ids, attention_mask and optional pixel_values, image_grid_thw.", Required = true };
        var output = new Option<string>("--output") { Description = "safetensors to write: logits, position_ids, rope_deltas, image_embeds, generated_ids.", Required = true };
        var greedy = new Option<int>("--greedy-tokens") { Description = "Also decode N tokens greedily with the KV cache (generated_ids).", DefaultValueFactory = _ => 0 };
        var dtype = ModelOptions.DType();
        var attention = new Option<string>("--attention") { Description = "Attention kernel: sdpa or eager.", DefaultValueFactory = _ => "sdpa" };
        var device = DeviceOption.Create();
        var command = new Command("run", "Run the model on inputs from a safetensors file and write logits, positions, image embeddings and greedy tokens.");
        foreach (var o in new Option[] { model, inputs, output, greedy, dtype, attention, device }) command.Options.Add(o);
        command.SetAction(parse => Run(parse.GetValue(model)!, parse.GetValue(inputs)!, parse.GetValue(output)!,
            parse.GetValue(greedy), ModelOptions.ParseDType(parse.GetValue(dtype)!), parse.GetValue(attention)!, parse.GetValue(device)));
        return command;
    }

    static int Run(string modelArg, string inputsPath, string outputPath, int greedyTokens, ScalarType dtype, string attention, string? deviceName)
    {
        if (greedyTokens < 0) throw new ArgumentException($"--greedy-tokens {greedyTokens} must be ≥ 0.");
        var kernel = attention.ToLowerInvariant() switch
        {
            "sdpa" => AttentionImplementation.Sdpa,
            "eager" => AttentionImplementation.Eager,
            _ => throw new ArgumentException($"--attention '{attention}' is not one of sdpa, eager."),
        };
        string folder = ModelLocator.Resolve(modelArg);
        var device = DeviceOption.Resolve(deviceName);
        using var scope = torch.NewDisposeScope();
        using var model = ModelFolder.Load(folder, dtype, device);
        model.model.Attention = kernel;
        var prompt = ReadInputs(inputsPath).To(device);
        var results = new List<KeyValuePair<string, Tensor>>();
        QwenVLOutput output;
        using (torch.no_grad())
        {
            if (greedyTokens > 0)
            {
                var (eos, pad) = ModelFolder.GenerationTokenIds(folder, model.Config);
                var generated = GreedyDecoder.Generate(model, prompt, greedyTokens, eos, pad, promptLogits: true);
                output = generated.Prefill;
                results.Add(new("generated_ids", generated.GeneratedIds));
            }
            else output = model.forward(prompt);
        }
        results.Insert(0, new("logits", output.Logits.to(ScalarType.Float32)));
        results.Insert(1, new("position_ids", output.PositionIds));
        results.Insert(2, new("rope_deltas", output.RopeDeltas));
        if (output.ImageEmbeds is not null)
        {
            // Qwen3-VL's features carry the DeepStack levels too: written apart, named as in the reference fixtures.
            var (embeds, deepstack) = model.visual!.SplitFeatures(output.ImageEmbeds);
            results.Insert(3, new("image_embeds", embeds.to(ScalarType.Float32)));
            if (deepstack.Length > 0) results.Insert(4, new("deepstack_features", torch.stack(deepstack).to(ScalarType.Float32)));
        }
        SafetensorsWriter.Save(outputPath, results);
        Console.WriteLine($"wrote {outputPath}: {string.Join(", ", results.Select(r => $"{r.Key} [{string.Join(", ", r.Value.shape)}]"))}");
        return 0;
    }

    static QwenVLInputs ReadInputs(string path)
    {
        if (!File.Exists(path)) throw new FileNotFoundException($"--inputs '{path}' does not exist.", path);
        using var file = SafetensorsFile.Open(path);
        Tensor Required(string name) => file.Contains(name)
            ? file.Load(name)
            : throw new InvalidDataException($"{path}: tensor '{name}' is missing (need input_ids and attention_mask).");
        Tensor? Optional(string name) => file.Contains(name) ? file.Load(name) : null;
        var ids = Required("input_ids").to(ScalarType.Int64);
        if (ids.dim() != 2) throw new InvalidDataException($"{path}: input_ids must be [B, L], got [{string.Join(", ", ids.shape)}].");
        var pixels = Optional("pixel_values");
        var grid = Optional("image_grid_thw");
        if ((pixels is null) != (grid is null))
            throw new InvalidDataException($"{path}: pixel_values and image_grid_thw must be given together.");
        return new QwenVLInputs
        {
            InputIds = ids,
            AttentionMask = Required("attention_mask").to(ScalarType.Int64),
            PixelValues = pixels?.to(ScalarType.Float32),
            ImageGridThw = grid?.to(ScalarType.Int64),
        };
    }
}
