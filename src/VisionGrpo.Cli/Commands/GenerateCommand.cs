using System.CommandLine;
using System.Globalization;
using TorchSharp;
using VisionGrpo.Generation;
using VisionGrpo.Lora;
using VisionGrpo.Models;
using VisionGrpo.Recipes;
using VisionGrpo.Tensors;
using VisionGrpo.Text;
using VisionGrpo.Training.Inputs;
using VisionGrpo.Vision;

namespace VisionGrpo.Cli.Commands;

/// <summary>
/// <c>visiongrpo generate</c>: one chat turn (the recipe's <c>generate_with_reasoning</c>): prints the completion, then
/// <c>inference time: X.XX s, generated tokens: N</c>; <c>--json</c> prints one object instead.
/// </summary>
internal static class GenerateCommand
{
    public static Command Create()
    {
        var model = new Option<string>("--model") { Description = "Model folder (or hub id in the HF cache).", Required = true };
        var adapter = new Option<string?>("--adapter") { Description = "PEFT LoRA adapter folder applied before generating." };
        var image = new Option<string[]>("--image") { Description = "Image file(s) placed before the text of the user message.", AllowMultipleArgumentsPerToken = true };
        var prompt = new Option<string>("--prompt") { Description = "User message text.", Required = true };
        var system = new Option<string?>("--system") { Description = "System message text." };
        var preset = new Option<string?>("--system-preset") { Description = "Named system prompt: r1." };
        var maxNew = new Option<int?>("--max-new-tokens") { Description = $"Tokens to generate at most (default: generation_config.json, else {GenerationOptions.DefaultMaxNewTokens})." };
        var temperature = new Option<double?>("--temperature") { Description = "Sampling temperature (0 = greedy); default from generation_config.json." };
        var topP = new Option<double?>("--top-p") { Description = "Nucleus sampling mass; default from generation_config.json." };
        var topK = new Option<int?>("--top-k") { Description = "Keep the k most likely tokens (0 = off); default from generation_config.json." };
        var seed = new Option<long?>("--seed") { Description = "Sampling seed (same seed, same tokens on CPU)." };
        var json = new Option<bool>("--json") { Description = "Print one JSON object instead of text." };
        var dtype = ModelOptions.DType();
        var device = DeviceOption.Create();
        var command = new Command("generate", "Generate a reply to one prompt (with optional images) and report the inference time.");
        foreach (var o in new Option[] { model, adapter, image, prompt, system, preset, maxNew, temperature, topP, topK, seed, json, dtype, device })
            command.Options.Add(o);
        command.SetAction(parse =>
        {
            if (parse.GetValue(system) is not null && parse.GetValue(preset) is not null)
                throw new ArgumentException("give either --system or --system-preset, not both.");
            string? systemText = parse.GetValue(system) ?? PresetText(parse.GetValue(preset));
            var options = new GenerationOptions
            {
                MaxNewTokens = parse.GetValue(maxNew),
                Temperature = parse.GetValue(temperature),
                TopP = parse.GetValue(topP),
                TopK = parse.GetValue(topK),
                Seed = parse.GetValue(seed),
                // Asking for a sampling parameter means sampling, as with `generate(do_sample=True, ...)`.
                DoSample = parse.GetValue(temperature) is > 0 || parse.GetValue(topP) is not null || parse.GetValue(topK) is not null ? true : null,
            };
            return Run(parse.InvocationConfiguration.Output, parse.GetValue(model)!, parse.GetValue(adapter), parse.GetValue(image) ?? [], parse.GetValue(prompt)!, systemText,
                options, parse.GetValue(json), ModelOptions.ParseDType(parse.GetValue(dtype)!), parse.GetValue(device));
        });
        return command;
    }

    static string? PresetText(string? preset) => preset switch
    {
        null => null,
        "r1" or "R1" => SystemPrompts.R1,
        _ => throw new ArgumentException($"--system-preset '{preset}' is not one of: r1."),
    };

    static int Run(TextWriter stdout, string modelArg, string? adapterDir, string[] imagePaths, string prompt, string? system, GenerationOptions options, bool json, torch.ScalarType dtype, string? deviceName)
    {
        string folder = ModelLocator.Resolve(modelArg);
        foreach (var path in imagePaths)
            if (!File.Exists(path)) throw new FileNotFoundException($"--image '{path}' does not exist.", path);
        if (adapterDir is not null && !Directory.Exists(adapterDir)) throw new DirectoryNotFoundException($"--adapter '{adapterDir}' does not exist.");
        var device = DeviceOption.Resolve(deviceName);
        var text = VlTextProcessor.FromDirectory(folder);
        var images = imagePaths.Select(p => ImageDecoder.DecodeFile(p)).ToArray();
        var imageProcessor = images.Length > 0 ? new QwenImageProcessor(ImageProcessorConfig.Load(folder)) : null;
        using var scope = torch.NewDisposeScope();
        using var model = ModelFolder.Load(folder, dtype, device);
        // The adapter's forward hooks live as long as `peft`; it owns only the adapter weights.
        using var peft = adapterDir is null ? null : PeftModel.Load(model, adapterDir);
        if (peft?.NonFiniteWarning() is { } warning) Console.Error.WriteLine("warning: " + warning);
        var resolved = options.Resolve(GenerationConfigFile.FromDirectory(folder), text.Tokenizer.EosTokenId, text.Tokenizer.PadTokenId);
        var inputs = ChatPrompt.Build(text, imageProcessor, system, prompt, images).To(device);

        // Stream only to a real terminal; captured or redirected output gets the whole text at the end.
        var stream = !json && ReferenceEquals(stdout, Console.Out) && !Console.IsOutputRedirected ? new TokenStream(text.Tokenizer) : null;
        var output = new GenerationEngine(model, text.Tokenizer).Generate(inputs, resolved, onToken: stream is null ? null : (_, id) => stream.Add(id));
        var result = output.Sequences[0];
        double seconds = output.PrefillSeconds + output.DecodeSeconds;
        if (json)
        {
            string F(double v) => v.ToString("R", CultureInfo.InvariantCulture);
            stdout.WriteLine(PyJson.Object(
                ("text", PyJson.String(result.Text)),
                ("ids", PyJson.IntList(result.CompletionIds)),
                ("generated_tokens", result.GeneratedTokens.ToString(CultureInfo.InvariantCulture)),
                ("inference_time", F(seconds)),
                ("prefill_seconds", F(output.PrefillSeconds)),
                ("decode_seconds", F(output.DecodeSeconds)),
                ("tokens_per_second", F(output.DecodeTokensPerSecond)),
                ("finish_reason", PyJson.String(result.FinishReason == FinishReason.Eos ? "eos" : "length"))));
            return 0;
        }
        if (stream is null) stdout.WriteLine(result.Text);
        else stdout.WriteLine();
        stdout.WriteLine(string.Create(CultureInfo.InvariantCulture, $"inference time: {seconds:F2} s, generated tokens: {result.GeneratedTokens}"));
        return 0;
    }

    /// <summary>Prints the decoded text as it grows (decoding the whole prefix keeps multi-byte characters intact).</summary>
    sealed class TokenStream(HfTokenizer tokenizer)
    {
        readonly List<int> _ids = [];
        int _printed;

        public void Add(int id)
        {
            _ids.Add(id);
            string text = tokenizer.Decode(_ids, skipSpecialTokens: true);
            if (text.EndsWith('\uFFFD') || text.Length <= _printed) return;
            Console.Write(text[_printed..]);
            _printed = text.Length;
        }
    }
}
