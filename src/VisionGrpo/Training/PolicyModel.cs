using TorchSharp;
using VisionGrpo.Data.Hub;
using VisionGrpo.Lora;
using VisionGrpo.Models;
using VisionGrpo.Models.Qwen2_5_VL;
using VisionGrpo.Tensors;
using VisionGrpo.Text;
using VisionGrpo.Training.Inputs;
using VisionGrpo.Vision;
using static TorchSharp.torch;
using Parameter = TorchSharp.Modules.Parameter;

namespace VisionGrpo.Training;

/// <summary>
/// The model a trainer trains, loaded as TRL's script does (<see cref="Load(PolicyLoadOptions, string?)"/>): the
/// checkpoint (folder or hub id) in bf16 or fp32 on a device, its processor files, LoRA adapters (fp32) when a PEFT
/// config is given, activation checkpointing, and the list of trainable parameters. Owns the model and the adapters.
/// </summary>
public sealed class PolicyModel : IDisposable
{
    PolicyModel(string folder, QwenVLForConditionalGeneration model, PeftModel? peft, VlTextProcessor text,
        QwenImageProcessor? images, Device device)
    {
        Folder = folder;
        Model = model;
        Peft = peft;
        Text = text;
        Images = images;
        Device = device;
    }

    /// <summary>Local folder of the base checkpoint.</summary>
    public string Folder { get; }
    /// <summary>The base model (adapters hook into it).</summary>
    public QwenVLForConditionalGeneration Model { get; }
    /// <summary>LoRA adapters, or null for full fine-tuning.</summary>
    public PeftModel? Peft { get; }
    /// <summary>Tokenizer and chat template.</summary>
    public VlTextProcessor Text { get; }
    /// <summary>Image processor (null for a text-only model or a folder without preprocessor_config.json).</summary>
    public QwenImageProcessor? Images { get; }
    /// <summary>Device the model lives on.</summary>
    public Device Device { get; }

    /// <summary>Trainable parameters with stable names (adapter names when LoRA, module names otherwise).</summary>
    public IReadOnlyList<(string Name, Parameter Parameter)> TrainableParameters =>
        Peft is not null
            ? Peft.NamedAdapterParameters().Where(p => p.Parameter.requires_grad).ToList()
            : Model.named_parameters().Where(p => p.parameter.requires_grad).Select(p => (p.name, p.parameter)).ToList();

    /// <summary>The model id or folder it was loaded from (<c>base_model_name_or_path</c> of a saved adapter).</summary>
    public string? BaseModelNameOrPath { get; private init; }
    /// <summary>The checkpoint whose weights (adapter or full model) replaced the base model's, or null.</summary>
    public string? Checkpoint { get; private init; }

    /// <summary>Loads a model to train: <c>model_name_or_path</c> in bf16 or fp32 on the device, LoRA adapters or all weights trainable.</summary>
    /// <param name="options">The model, dtype, device, PEFT config and gradient checkpointing.</param>
    /// <param name="checkpoint">
    /// A checkpoint to continue from: with LoRA, its adapter (trainable) replaces fresh adapters; without, its full
    /// weights replace the base model's.
    /// </param>
    /// <exception cref="ConfigException">An invalid option (named).</exception>
    public static PolicyModel Load(PolicyLoadOptions options, string? checkpoint = null)
    {
        ArgumentNullException.ThrowIfNull(options);
        options.Validate();
        bool lora = options.Peft is not null;
        string folder = !lora && checkpoint is not null
            ? checkpoint
            : RepoLocator.Resolve(options.ModelNameOrPath, RepoType.Model, options.ModelRevision, source: "model_name_or_path");
        string? adapter = lora ? checkpoint : null;
        // bf16 full fine-tuning trains bf16 weights; the trainer's optimizer keeps their fp32 masters (MixedPrecisionOptimizer).
        var dtype = options.Bf16 ? ScalarType.BFloat16 : ScalarType.Float32;
        return Open(folder, options, dtype, checkpoint, adapters: model =>
        {
            if (options.Peft is not { } peft) return null;
            if (adapter is not null) return PeftModel.Load(model, adapter, isTrainable: true);
            // Fresh adapters draw A from the global generator: seed it so the same seed gives the same run.
            torch.manual_seed(options.Seed);
            peft = peft with
            {
                BaseModelNameOrPath = peft.BaseModelNameOrPath ?? options.ModelNameOrPath,
                Revision = peft.Revision ?? (options.ModelRevision == "main" ? null : options.ModelRevision),
            };
            if (options.DisableDropout) peft = peft with { LoraDropout = 0 };
            return PeftModel.Wrap(model, peft);
        }, mode: model =>
        {
            if (!lora) foreach (var p in model.parameters()) p.requires_grad = true;
            model.model.GradientCheckpointing = options.GradientCheckpointing;
            model.train();
        });
    }

    /// <summary>
    /// Loads a model to evaluate, not to train (<c>visiongrpo eval</c>): <paramref name="folder"/> in
    /// <paramref name="dtype"/> on the options' device, with an optional read-only adapter, in eval mode.
    /// </summary>
    public static PolicyModel LoadForEvaluation(string folder, PolicyLoadOptions options, ScalarType dtype, string? adapter = null) =>
        Open(folder, options.Validate(), dtype, checkpoint: null, adapters: model => adapter is null ? null : PeftModel.Load(model, adapter), mode: model => model.eval());

    // The model of `folder` on the options' device and threads, with its `adapters`, set up by `mode` (trainable
    // parameters, train or eval), its tokenizer and image processor; model and adapters are disposed if anything fails.
    static PolicyModel Open(string folder, PolicyLoadOptions options, ScalarType dtype, string? checkpoint,
        Func<QwenVLForConditionalGeneration, PeftModel?> adapters, Action<QwenVLForConditionalGeneration> mode)
    {
        var device = DeviceSpec.Parse(options.Device);
        if (options.TorchThreads > 0) torch.set_num_threads(options.TorchThreads);
        var model = ModelFolder.Load(folder, dtype, device);
        PeftModel? peft = null;
        try
        {
            peft = adapters(model);
            mode(model);
            // A text-only model (model_type qwen2) gets no image processor, whatever files its folder holds.
            var images = model.Config.IsVisionLanguage ? ImageProcessor(folder, options) : null;
            return new PolicyModel(folder, model, peft, VlTextProcessor.FromDirectory(folder), images, device)
            {
                BaseModelNameOrPath = options.ModelNameOrPath,
                Checkpoint = checkpoint,
            };
        }
        catch
        {
            peft?.Dispose();
            model.Dispose();
            throw;
        }
    }

    // The folder's image processor with the min_pixels/max_pixels overrides; null when the folder has none.
    static QwenImageProcessor? ImageProcessor(string folder, PolicyLoadOptions options)
    {
        if (!File.Exists(Path.Combine(folder, ImageProcessorConfig.FileName))) return null;
        var config = ImageProcessorConfig.Load(folder);
        config = config with { MinPixels = options.MinPixels ?? config.MinPixels, MaxPixels = options.MaxPixels ?? config.MaxPixels };
        ConfigException.Wrap(() => { config.Validate("min_pixels/max_pixels"); return config; });
        return new QwenImageProcessor(config);
    }

    /// <summary>A prompt builder over this model's tokenizer and image processor.</summary>
    public PromptBuilder PromptBuilder(PromptOptions options) =>
        new(Text, Images, options.SystemPrompt, options.PromptColumn, options.ImageColumn, options.MaxPromptLength, options.ChatTemplateKwargs);

    /// <summary>
    /// Saves what TRL's <c>save_model</c> saves: the adapter (PEFT format) or the full model, plus the processor and
    /// tokenizer files, into <paramref name="directory"/>.
    /// </summary>
    public void Save(string directory, string? baseModelNameOrPath)
    {
        Directory.CreateDirectory(directory);
        if (Peft is not null)
        {
            Peft.Save(directory, baseModelNameOrPath);
            ModelFolder.CopyProcessorFiles(Folder, directory);
        }
        else ModelFolder.Save(Model, directory, Folder);
    }

    /// <summary>Disposes the adapters and the model.</summary>
    public void Dispose()
    {
        Peft?.Dispose();
        Model.Dispose();
    }
}
