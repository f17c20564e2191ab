using VisionGrpo.Lora;

namespace VisionGrpo.Training;

/// <summary>
/// How <see cref="PolicyModel.Load(PolicyLoadOptions, string?)"/> loads the model to train, as TRL's script does
/// (<c>model_name_or_path</c>, <c>model_revision</c>, <c>bf16</c>, <c>device</c>, a PEFT <c>LoraConfig</c>,
/// <c>gradient_checkpointing</c>, ...); each property's summary names the recipe key it comes from.
/// </summary>
public sealed record PolicyLoadOptions
{
    /// <summary><c>model_name_or_path</c>: a model folder or a Hugging Face hub id (read from the HF cache).</summary>
    public required string ModelNameOrPath { get; init; }
    /// <summary><c>model_revision</c>: hub branch, tag or commit.</summary>
    public string ModelRevision { get; init; } = "main";
    /// <summary><c>bf16</c>: bf16 base weights and activations (adapters, optimizer state and losses stay fp32).</summary>
    public bool Bf16 { get; init; } = true;
    /// <summary><c>device</c>: auto, cpu, cuda or cuda:N.</summary>
    public string Device { get; init; } = "auto";
    /// <summary><c>torch_threads</c>: libtorch intra-op threads (0 keeps libtorch's default).</summary>
    public int TorchThreads { get; init; }
    /// <summary>
    /// The LoRA adapters to train (TRL's <c>peft_config</c>); null trains the full model. Its
    /// <c>base_model_name_or_path</c> and revision default to this model's.
    /// </summary>
    public LoraConfig? Peft { get; init; }
    /// <summary><c>gradient_checkpointing</c>: recompute decoder-layer activations in backward to save memory.</summary>
    public bool GradientCheckpointing { get; init; } = true;
    /// <summary><c>disable_dropout</c>: turn dropout off (LoRA dropout included).</summary>
    public bool DisableDropout { get; init; }
    /// <summary><c>seed</c>: fresh adapters draw their A matrices from the generator seeded with it.</summary>
    public int Seed { get; init; } = 42;
    /// <summary><c>min_pixels</c>: image processor override (null keeps the model folder's).</summary>
    public long? MinPixels { get; init; }
    /// <summary><c>max_pixels</c>: image processor override, the main memory knob (null keeps the model folder's).</summary>
    public long? MaxPixels { get; init; }

    // More intra-op threads than this only oversubscribes the cores; 100,000 made libtorch hang while starting them.
    const int MaxTorchThreads = 1024;

    /// <summary>Checks the options (the loader calls it).</summary>
    /// <exception cref="ConfigException">The first invalid option, named by its recipe key.</exception>
    public PolicyLoadOptions Validate()
    {
        if (string.IsNullOrWhiteSpace(ModelNameOrPath))
            throw new ConfigException("model_name_or_path is not set: give a model folder or Hugging Face hub id.");
        CheckTorchThreads(TorchThreads);
        if (Seed < 0) throw new ConfigException($"seed must be a non-negative integer; got {Seed}.");
        if (Peft is not null) ConfigException.Wrap(() => Peft.Validate("peft_config"));
        return this;
    }

    internal static void CheckTorchThreads(int threads)
    {
        if (threads is < 0 or > MaxTorchThreads)
            throw new ConfigException($"torch_threads must be between 0 (libtorch's default) and {MaxTorchThreads}; got {threads} (this machine has {Environment.ProcessorCount} cores).");
    }
}
