using System.CommandLine;
using VisionGrpo.Lora;
using VisionGrpo.Models;
using VisionGrpo.Models.Qwen2_5_VL;

namespace VisionGrpo.Cli.Commands;

/// <summary>
/// <c>visiongrpo lora merge --model BASE --adapter DIR --output DIR</c>: PEFT's <c>merge_and_unload()</c> +
/// <c>save_pretrained</c>: a plain HF checkpoint (tokenizer/processor files copied from the base).
/// </summary>
internal static class LoraMergeCommand
{
    public static Command Create()
    {
        var model = new Option<string>("--model") { Description = "Base model folder or hub id in the HF cache.", Required = true };
        var adapter = new Option<string>("--adapter") { Description = "Adapter folder (adapter_config.json + adapter_model.safetensors, as PEFT saves it).", Required = true };
        var output = new Option<string>("--output") { Description = "Folder for the merged checkpoint (created if missing).", Required = true };
        var dtype = new Option<string?>("--dtype") { Description = "Dtype of the merged weights: fp32 or bf16 (default: the base config's torch_dtype, else fp32)." };
        var device = DeviceOption.Create();
        var command = new Command("merge", "Fold a LoRA adapter into its base model and write a plain Hugging Face checkpoint.");
        foreach (var option in new Option[] { model, adapter, output, dtype, device }) command.Options.Add(option);
        command.SetAction(parse => Run(parse.InvocationConfiguration.Output, parse.InvocationConfiguration.Error, parse.GetValue(model)!, parse.GetValue(adapter)!, parse.GetValue(output)!, parse.GetValue(dtype), parse.GetValue(device)));
        return command;
    }

    /// <summary>
    /// The merged checkpoint must not land in (or inside) the base model's folder, however the path is spelled or
    /// linked: it would overwrite the base weights it is read from.
    /// </summary>
    static void RefuseOverwritingTheBase(string output, string baseFolder)
    {
        string real = RealPathOfNearestExisting(Path.GetFullPath(output));
        string baseReal = VisionGrpo.Data.UnixFiles.RealPath(baseFolder) ?? Path.GetFullPath(baseFolder);
        if (real == baseReal || real.StartsWith(baseReal + Path.DirectorySeparatorChar, StringComparison.Ordinal))
            throw new ArgumentException($"--output '{output}' is the base model folder '{baseFolder}' (or inside it): merging there would overwrite the base weights; choose another folder.");
    }

    // The output folder may not exist yet: resolve its closest existing ancestor and append the rest.
    static string RealPathOfNearestExisting(string path)
    {
        string rest = "";
        for (string? dir = path; dir is not null; rest = Path.Combine(Path.GetFileName(dir), rest), dir = Path.GetDirectoryName(dir))
            if (VisionGrpo.Data.UnixFiles.RealPath(dir) is { } real) return Path.TrimEndingDirectorySeparator(Path.Combine(real, rest));
        return path;
    }

    static int Run(TextWriter stdout, TextWriter stderr, string modelArg, string adapter, string output, string? dtypeName, string? deviceName)
    {
        string folder = ModelLocator.Resolve(modelArg);
        if (!Directory.Exists(adapter)) throw new DirectoryNotFoundException($"--adapter '{adapter}' is not a folder.");
        RefuseOverwritingTheBase(output, folder);
        var config = QwenVLConfig.Load(folder);
        string name = dtypeName ?? (config.TorchDtype is "bfloat16" ? "bf16" : "fp32");
        using var model = ModelFolder.Load(folder, ModelOptions.ParseDType(name), DeviceOption.Resolve(deviceName));
        var peft = PeftModel.Load(model, adapter);
        if (peft.NonFiniteWarning() is { } warning) stderr.WriteLine("warning: " + warning);
        int modules = peft.Layers.Count;
        peft.MergeAndUnload();
        ModelFolder.Save(model, output, processorSource: folder);
        stdout.WriteLine($"merged {modules} LoRA modules from {adapter} into {folder}; wrote {output} ({ModelFolder.DTypeName(model.DType)})");
        return 0;
    }
}
