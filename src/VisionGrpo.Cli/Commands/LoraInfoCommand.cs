using System.CommandLine;
using VisionGrpo.Lora;
using VisionGrpo.Models;

namespace VisionGrpo.Cli.Commands;

/// <summary>
/// <c>visiongrpo lora info --model MODEL</c>: how many modules a LoRA config wraps and PEFT's trainable-parameters
/// line, from config.json alone (no weights are read or allocated).
/// </summary>
internal static class LoraInfoCommand
{
    public static Command Create()
    {
        var model = new Option<string>("--model") { Description = "Model folder (only config.json is read) or a hub id in the HF cache.", Required = true };
        var r = new Option<int>("--r") { Description = "LoRA rank (PEFT r).", DefaultValueFactory = _ => 8 };
        var alpha = new Option<double>("--lora-alpha") { Description = "LoRA alpha (PEFT lora_alpha).", DefaultValueFactory = _ => 32 };
        var targets = new Option<string>("--target-modules")
        {
            Description = "Comma-separated module names/suffixes (PEFT list semantics), or a regex matched against the whole module name when prefixed with 're:', or all-linear (every Linear but lm_head).",
            DefaultValueFactory = _ => "q_proj,v_proj",
        };
        var rslora = new Option<bool>("--use-rslora") { Description = "Scale by alpha/sqrt(r) (rsLoRA) instead of alpha/r." };
        var command = new Command("info", "Wrapped module count and PEFT's print_trainable_parameters() line for a LoRA config; nothing is allocated.");
        foreach (var option in new Option[] { model, r, alpha, targets, rslora }) command.Options.Add(option);
        command.SetAction(parse => Run(parse.InvocationConfiguration.Output, parse.GetValue(model)!, new LoraConfig
        {
            R = parse.GetValue(r),
            LoraAlpha = parse.GetValue(alpha),
            TargetModules = ParseTargets(parse.GetValue(targets)!),
            UseRslora = parse.GetValue(rslora),
        }.Validate("--r/--lora-alpha")));
        return command;
    }

    /// <summary><c>q_proj,v_proj</c> → a name list; <c>re:PATTERN</c> → PEFT's string (full-match regex) form; <c>all-linear</c> → the shorthand.</summary>
    internal static LoraTargetModules ParseTargets(string value)
    {
        if (value.StartsWith("re:", StringComparison.Ordinal)) return LoraTargetModules.FromPattern(value[3..]);
        if (LoraTargetModules.IsShorthand(value.Trim())) return LoraTargetModules.AllLinear;
        var names = value.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);
        if (names.Length == 0) throw new ArgumentException($"--target-modules '{value}' names no module.");
        return LoraTargetModules.FromNames(names);
    }

    static int Run(TextWriter stdout, string model, LoraConfig lora)
    {
        var config = QwenVLConfig.Load(ModelLocator.Resolve(model));
        var counts = LoraParameterCounts.FromConfig(config, lora);
        stdout.WriteLine($"target_modules {lora.TargetModules}: {counts.Modules} modules wrapped, r={lora.R}, lora_alpha={lora.LoraAlpha}, scaling {lora.Scaling:0.####}");
        stdout.WriteLine(counts.TrainableParametersLine);
        return 0;
    }
}
