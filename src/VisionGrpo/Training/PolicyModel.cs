using TorchSharp;
using VisionGrpo.Data.Hub;
using VisionGrpo.Lora;
using VisionGrpo.Models;
using VisionGrpo.Models.Qwen2_5_VL;
using VisionGrpo.Recipes;
using VisionGrpo.Tensors;
using VisionGrpo.Text;
using VisionGrpo.Training.Inputs;
using VisionGrpo.Vision;
using static TorchSharp.torch;
using Parameter = TorchSharp.Modules.Parameter;

namespace VisionGrpo.Training;

/// <summary>
/// The model a recipe trains, loaded as TRL's script does: the checkpoint (folder or hub id) in bf16 or fp32 on the
/// recipe's device, its processor files, LoRA adapters (fp32) when <c>use_peft</c>, activation checkpointing, and the
/// list of trainable parameters. Owns the model and the adapters.
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
    /// <summary>Image processor (null when the folder has no preprocessor_config.json).</summary>
    public QwenImageProcessor? Images { get; }
    /// <summary>Device the model lives on.</summary>
    public Device Device { get; }

    /// <summary>Trainable parameters with stable names (adapter names when LoRA, module names otherwise).</summary>
    public IReadOnlyList<(string Name, Parameter Parameter)> TrainableParameters =>
        Peft is not null
            ? Peft.NamedAdapterParameters().Where(p => p.Parameter.requires_grad).ToList()
            : Model.named_parameters().Where(p => p.parameter.requires_grad).Select(p => (p.name, p.parameter)).ToList();

    /// <summary>Loads the recipe's model (<c>model_name_or_path</c>, <c>bf16</c>, <c>device</c>, LoRA keys, <c>gradient_checkpointing</c>).</summary>
    /// <param name="recipe">The run configuration.</param>
    /// <param name="checkpoint">
    /// A checkpoint to continue from: with LoRA, its adapter (trainable) replaces fresh adapters; without, its full
    /// weights replace the base model's.
    /// </param>
    public static PolicyModel Load(RecipeConfig recipe, string? checkpoint = null)
    {
        if (string.IsNullOrWhiteSpace(recipe.ModelNameOrPath))
            throw new ConfigException("model_name_or_path is not set: give a model folder or hub id (--set model_name_or_path=...), or run `visiongrpo train` from the repository root for the built-in demo.");
        string folder = !recipe.UsePeft && checkpoint is not null
            ? checkpoint
            : RepoLocator.Resolve(recipe.ModelNameOrPath, RepoType.Model, recipe.ModelRevision);
        string? adapter = recipe.UsePeft ? checkpoint : null;
        // bf16 full fine-tuning trains bf16 weights; the trainer's optimizer keeps their fp32 masters (MixedPrecisionOptimizer).
        var dtype = recipe.Bf16 ? ScalarType.BFloat16 : ScalarType.Float32;
        return Open(folder, recipe, dtype, adapters: model =>
        {
            if (!recipe.UsePeft) return null;
            if (adapter is not null) return PeftModel.Load(model, adapter, isTrainable: true);
            // Fresh adapters draw A from the global generator: seed it so the same seed gives the same run.
            torch.manual_seed(recipe.Seed);
            var lora = RecipeMapping.ToLoraConfig(recipe);
            if (recipe.DisableDropout) lora = lora with { LoraDropout = 0 };
            return PeftModel.Wrap(model, lora);
        }, mode: model =>
        {
            if (!recipe.UsePeft) foreach (var p in model.parameters()) p.requires_grad = true;
            model.model.GradientCheckpointing = recipe.GradientCheckpointing;
            model.train();
        });
    }

    /// <summary>
    /// Loads a model to evaluate, not to train (<c>visiongrpo eval</c>): <paramref name="folder"/> in
    /// <paramref name="dtype"/> on the recipe's device, with an optional read-only adapter, in eval mode.
    /// </summary>
    public static PolicyModel LoadForEvaluation(string folder, RecipeConfig recipe, ScalarType dtype, string? adapter = null) =>
        Open(folder, recipe, dtype, adapters: model => adapter is null ? null : PeftModel.Load(model, adapter), mode: model => model.eval());

    // The model of `folder` on the recipe's device and threads, with its `adapters`, set up by `mode` (trainable
    // parameters, train or eval), its tokenizer and image processor; model and adapters are disposed if anything fails.
    static PolicyModel Open(string folder, RecipeConfig recipe, ScalarType dtype,
        Func<QwenVLForConditionalGeneration, PeftModel?> adapters, Action<QwenVLForConditionalGeneration> mode)
    {
        var device = DeviceSpec.Parse(recipe.Device);
        if (recipe.TorchThreads > 0) torch.set_num_threads(recipe.TorchThreads);
        var model = ModelFolder.Load(folder, dtype, device);
        PeftModel? peft = null;
        try
        {
            peft = adapters(model);
            mode(model);
            return new PolicyModel(folder, model, peft, VlTextProcessor.FromDirectory(folder), RecipeMapping.ToImageProcessor(folder, recipe), device);
        }
        catch
        {
            peft?.Dispose();
            model.Dispose();
            throw;
        }
    }

    /// <summary>A prompt builder for the recipe's columns, system prompt and <c>max_prompt_length</c>.</summary>
    public PromptBuilder PromptBuilder(RecipeConfig recipe) =>
        new(Text, Images, SystemPrompts.Resolve(recipe.SystemPrompt), recipe.PromptColumn, recipe.ImageColumn,
            recipe.MaxPromptLength, recipe.ChatTemplateKwargs);

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
