using TorchSharp;
using TorchSharp.Modules;
using VisionGrpo.Models;
using VisionGrpo.Tensors;
using static TorchSharp.torch;

namespace VisionGrpo.Lora;

/// <summary>
/// PEFT's <c>PeftModel</c> for LoRA on Qwen2.5-VL: wraps the targeted Linears of a loaded model with
/// <see cref="LoraLayer"/>s (text and vision tower alike), freezes every base parameter, and saves / loads
/// adapters in PEFT's folder format so Python's <c>PeftModel.from_pretrained</c> reads them. The base model keeps
/// its own forward and parameter names; this object does not own it (dispose the model separately), but owns
/// the adapter weights.
/// </summary>
public sealed class PeftModel : IDisposable
{
    readonly List<LoraLayer> _layers;
    int _disabledDepth;
    bool _unloaded;

    /// <summary>The wrapped model (its forward includes the adapters).</summary>
    public QwenVLForConditionalGeneration Model { get; }
    /// <summary>The adapter configuration.</summary>
    public LoraConfig Config { get; }
    /// <summary>The adapters, in module order.</summary>
    public IReadOnlyList<LoraLayer> Layers => _layers;

    PeftModel(QwenVLForConditionalGeneration model, LoraConfig config, List<LoraLayer> layers)
    {
        Model = model;
        Config = config;
        _layers = layers;
    }

    /// <summary>
    /// <c>get_peft_model(model, config)</c>: adds fresh adapters (A Kaiming-uniform, B zero by default) to every
    /// targeted Linear and freezes all base parameters, so only A and B are trainable.
    /// </summary>
    public static PeftModel Wrap(QwenVLForConditionalGeneration model, LoraConfig config)
    {
        ArgumentNullException.ThrowIfNull(model);
        config.Validate();
        if (config.ModulesToSave is { Count: > 0 })
            throw new NotSupportedException($"modules_to_save ({string.Join(", ", config.ModulesToSave)}) is not supported by this LoRA port.");
        TorchRuntime.EnsureInitialized();
        var modules = model.named_modules().ToDictionary(m => m.name, m => m.module);
        var entries = modules.Select(m => m.Value switch
        {
            Linear l => new LoraModuleLayout.Entry(m.Key, l.weight!.shape[1], l.weight!.shape[0]),
            Conv3d => new LoraModuleLayout.Entry(m.Key, 0, 0, IsLinear: false),
            _ => null,
        }).OfType<LoraModuleLayout.Entry>();
        var targeted = LoraModuleLayout.Targeted(entries, config);
        // PEFT replaces the all-linear shorthand with the full names it resolved to; adapter_config.json records those.
        if (config.TargetModules.IsAllLinear)
            config = config with { TargetModules = LoraTargetModules.FromNames(targeted.Select(e => LoraKeys.ToHf(e.Name))) };
        LoraMemoryCheck.ThrowIfTooLarge(targeted, config);
        foreach (var p in model.parameters()) p.requires_grad = false;
        var layers = new List<LoraLayer>();
        try
        {
            foreach (var entry in targeted) layers.Add(new LoraLayer(entry.Name, (Linear)modules[entry.Name], config));
        }
        catch
        {
            foreach (var layer in layers) layer.Dispose();
            throw;
        }
        var peft = new PeftModel(model, config, layers);
        peft.SetTrainable(!config.InferenceMode);
        return peft;
    }

    /// <summary>
    /// <c>PeftModel.from_pretrained(model, directory)</c>: reads <c>adapter_config.json</c> and
    /// <c>adapter_model.safetensors</c> (current or pre-4.52 key layout). As in PEFT the adapters are frozen
    /// unless <paramref name="isTrainable"/>.
    /// </summary>
    public static PeftModel Load(QwenVLForConditionalGeneration model, string directory, bool isTrainable = false)
    {
        if (!Directory.Exists(directory)) throw new DirectoryNotFoundException($"Adapter folder '{directory}' does not exist.");
        var config = LoraConfig.Load(directory) with { InferenceMode = !isTrainable };
        var peft = Wrap(model, config);
        try
        {
            LoraAdapterFile.Read(Path.Combine(directory, LoraAdapterFile.FileName), peft._layers);
        }
        catch
        {
            peft.Dispose();
            throw;
        }
        return peft;
    }

    /// <summary>
    /// <c>save_pretrained(directory)</c>: <c>adapter_config.json</c> (with <c>inference_mode: true</c>, as PEFT
    /// writes it) and <c>adapter_model.safetensors</c> (float32 A/B under PEFT's saved key names, metadata
    /// <c>{"format": "pt"}</c>). Saving while merged is allowed: A and B are unchanged by merging.
    /// </summary>
    public void Save(string directory, string? baseModelNameOrPath = null, string? revision = null)
    {
        ThrowIfUnloaded();
        Directory.CreateDirectory(directory);
        var config = Config with
        {
            InferenceMode = true,
            BaseModelNameOrPath = baseModelNameOrPath ?? Config.BaseModelNameOrPath,
            Revision = revision ?? Config.Revision,
        };
        File.WriteAllText(Path.Combine(directory, LoraConfig.FileName), config.ToJson());
        LoraAdapterFile.Write(Path.Combine(directory, LoraAdapterFile.FileName), _layers);
    }

    /// <summary>Names of the adapter tensors that hold NaN or infinity.</summary>
    public IReadOnlyList<string> NonFiniteAdapterWeights()
    {
        using var scope = torch.NewDisposeScope();
        return NamedAdapterParameters().Where(p => !torch.isfinite(p.Parameter).all().item<bool>()).Select(p => p.Name).ToList();
    }

    /// <summary>
    /// A warning line when the loaded adapter holds NaN or infinite weights (a diverged run saved it): such an
    /// adapter loads and runs, but every output it produces is garbage. Null when all weights are finite.
    /// </summary>
    public string? NonFiniteWarning()
    {
        var bad = NonFiniteAdapterWeights();
        return bad.Count == 0 ? null
            : $"the adapter has non-finite (NaN/inf) weights in {bad.Count} of {Layers.Count * 2} tensors (first: {bad[0]}); it was probably saved by a diverged run, so its outputs are meaningless.";
    }

    /// <summary>The adapter parameters under PEFT's in-memory names (<c>….q_proj.lora_A.default.weight</c>).</summary>
    public IEnumerable<(string Name, Parameter Parameter)> NamedAdapterParameters()
    {
        foreach (var layer in _layers)
        {
            yield return (LoraKeys.InMemoryName(layer.Name, isA: true), layer.A);
            yield return (LoraKeys.InMemoryName(layer.Name, isA: false), layer.B);
        }
    }

    /// <summary>The parameters an optimizer should update (the adapters' A and B while trainable).</summary>
    public IEnumerable<Parameter> TrainableParameters() =>
        Model.parameters().Concat(NamedAdapterParameters().Select(p => p.Parameter)).Where(p => p.requires_grad);

    /// <summary>Makes the adapters trainable (or frozen); base parameters always stay frozen.</summary>
    public void SetTrainable(bool trainable)
    {
        foreach (var (_, p) in NamedAdapterParameters()) p.requires_grad = trainable;
    }

    /// <summary>PEFT's <c>get_nb_trainable_parameters()</c>: (trainable, all) with all = base + adapters.</summary>
    public (long Trainable, long All) GetNbTrainableParameters()
    {
        var all = Model.parameters().Concat(NamedAdapterParameters().Select(p => p.Parameter)).ToList();
        return (all.Where(p => p.requires_grad).Sum(p => p.numel()), all.Sum(p => p.numel()));
    }

    /// <summary>The line <c>print_trainable_parameters()</c> prints.</summary>
    public string TrainableParametersLine
    {
        get
        {
            var (trainable, all) = GetNbTrainableParameters();
            return LoraParameterCounts.Line(trainable, all);
        }
    }

    /// <summary>Prints <see cref="TrainableParametersLine"/> to <paramref name="writer"/> (stdout by default).</summary>
    public void PrintTrainableParameters(TextWriter? writer = null) => (writer ?? Console.Out).WriteLine(TrainableParametersLine);

    /// <summary>Whether the adapters are folded into the base weights.</summary>
    public bool Merged => _layers.Count > 0 && _layers.All(l => l.Merged);

    /// <summary>Folds every adapter into its base weight (forward then skips the adapter path).</summary>
    public void Merge()
    {
        ThrowIfUnloaded();
        foreach (var layer in _layers) layer.Merge();
    }

    /// <summary>Takes the adapters out of the base weights again.</summary>
    public void Unmerge()
    {
        ThrowIfUnloaded();
        foreach (var layer in _layers) layer.Unmerge();
    }

    /// <summary>
    /// <c>merge_and_unload()</c>: folds the adapters in, removes them and returns the plain model, which
    /// <c>ModelFolder.Save</c> writes as an ordinary HF checkpoint. This wrapper is unusable afterwards.
    /// </summary>
    public QwenVLForConditionalGeneration MergeAndUnload()
    {
        Merge();
        Dispose();
        return Model;
    }

    /// <summary>
    /// <c>with model.disable_adapter():</c> — bypasses every adapter until the returned scope is disposed, so the
    /// model computes the base (reference) outputs. Merged adapters are unmerged for the duration.
    /// </summary>
    public AdapterDisabledScope DisableAdapter()
    {
        ThrowIfUnloaded();
        bool wasMerged = _layers.Any(l => l.Merged);
        if (wasMerged) Unmerge();
        _disabledDepth++;
        foreach (var layer in _layers) layer.Disabled = true;
        return new AdapterDisabledScope(this, wasMerged);
    }

    internal void EndDisabled(bool remerge)
    {
        if (_unloaded) return;
        if (--_disabledDepth == 0)
            foreach (var layer in _layers) layer.Disabled = false;
        if (remerge) Merge();
    }

    /// <summary>Whether adapters are currently bypassed.</summary>
    public bool AdapterDisabled => _disabledDepth > 0;

    void ThrowIfUnloaded()
    {
        if (_unloaded) throw new ObjectDisposedException(nameof(PeftModel), "The adapters were unloaded (MergeAndUnload or Dispose).");
    }

    /// <summary>Removes the adapters (hooks and A/B); the base model is left as it is and stays usable.</summary>
    public void Dispose()
    {
        if (_unloaded) return;
        _unloaded = true;
        foreach (var layer in _layers) layer.Dispose();
    }
}
