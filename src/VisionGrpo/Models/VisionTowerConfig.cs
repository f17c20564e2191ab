using System.Text.Json;

namespace VisionGrpo.Models;

/// <summary>
/// What every Qwen vision tower shares, whatever its family: the patch geometry (which the image processor and the
/// M-RoPE positions depend on), the ViT width and heads (for the 2-D rotary), and the merged output width. Each
/// family's <c>vision_config</c> record derives from it and knows how to build, count and list its own tower.
/// </summary>
public abstract record VisionTowerConfig
{
    /// <summary>Number of vision blocks (<c>depth</c>).</summary>
    public abstract int Depth { get; init; }
    /// <summary>Width of the ViT residual stream (Qwen2.5-VL <c>hidden_size</c>, Qwen2-VL <c>embed_dim</c>).</summary>
    public abstract int HiddenSize { get; init; }
    /// <summary>Attention heads per block (<c>num_heads</c>).</summary>
    public abstract int NumHeads { get; init; }
    /// <summary>Image channels (<c>in_channels</c>, legacy <c>in_chans</c>).</summary>
    public abstract int InChannels { get; init; }
    /// <summary>Width of the merged output tokens; must equal the text hidden size.</summary>
    public abstract int OutHiddenSize { get; init; }
    /// <summary>Spatial patch edge in pixels (<c>patch_size</c>).</summary>
    public abstract int PatchSize { get; init; }
    /// <summary>Patches merged per axis by the patch merger (<c>spatial_merge_size</c>).</summary>
    public abstract int SpatialMergeSize { get; init; }
    /// <summary>Frames per temporal patch (<c>temporal_patch_size</c>).</summary>
    public abstract int TemporalPatchSize { get; init; }
    /// <summary>Activation of the block MLPs (<c>hidden_act</c>).</summary>
    public abstract string HiddenAct { get; init; }

    /// <summary>Width of the hidden layer of each block's MLP.</summary>
    public abstract int MlpWidth { get; }

    /// <summary>DeepStack levels (Qwen3-VL): vision features added after decoder layers 0 … levels−1; 0 elsewhere.</summary>
    public virtual int DeepstackLevels => 0;

    /// <summary>Per-head width: <see cref="HiddenSize"/> / <see cref="NumHeads"/>.</summary>
    public int HeadDim => HiddenSize / NumHeads;
    /// <summary>Length of one flattened patch row: channels · temporal · patch · patch (1176 for the real models).</summary>
    public int PatchDim => InChannels * TemporalPatchSize * PatchSize * PatchSize;
    /// <summary>Patches per merged token: <see cref="SpatialMergeSize"/>².</summary>
    public int SpatialMergeUnit => SpatialMergeSize * SpatialMergeSize;

    /// <summary>Activations the vision blocks support (names as in transformers' <c>ACT2FN</c>).</summary>
    public static IReadOnlyList<string> SupportedActivations { get; } = ["silu", "gelu", "gelu_pytorch_tanh", "quick_gelu"];

    /// <summary>The <c>vision_config</c> key of <see cref="HiddenSize"/> (named in errors).</summary>
    protected abstract string WidthKey { get; }

    /// <summary>The <c>vision_config</c> key of <see cref="OutHiddenSize"/> (named in errors).</summary>
    protected abstract string OutWidthKey { get; }

    /// <summary>
    /// Starts reading a <c>vision_config</c> object: the keys every family shares (<c>depth</c>, the width under
    /// <see cref="WidthKey"/>, <c>num_heads</c>, channels, the output width under <see cref="OutWidthKey"/>, the patch
    /// geometry, <c>hidden_act</c>) over <typeparamref name="T"/>'s class defaults, kept for absent or null keys. The
    /// family reads its own keys from the returned reader, then validates.
    /// </summary>
    /// <exception cref="FormatException">Not an object, or a key has the wrong JSON type.</exception>
    private protected static (T Shared, VisionConfigReader Reader) ReadSharedKeys<T>(JsonElement visionConfig)
        where T : VisionTowerConfig, new()
    {
        if (visionConfig.ValueKind != JsonValueKind.Object)
            throw new FormatException($"vision_config must be a JSON object, got {visionConfig.ValueKind}.");
        var d = new T();
        var r = new VisionConfigReader(visionConfig);
        var shared = (VisionTowerConfig)d with
        {
            Depth = r.Int("depth") ?? d.Depth,
            HiddenSize = r.Int(d.WidthKey) ?? d.HiddenSize,
            NumHeads = r.Int("num_heads") ?? d.NumHeads,
            InChannels = r.InChannels() ?? d.InChannels,
            OutHiddenSize = r.Int(d.OutWidthKey) ?? d.OutHiddenSize,
            PatchSize = r.PatchSize() ?? d.PatchSize,
            SpatialMergeSize = r.Int("spatial_merge_size") ?? d.SpatialMergeSize,
            TemporalPatchSize = r.Int("temporal_patch_size") ?? d.TemporalPatchSize,
            HiddenAct = r.String("hidden_act") ?? d.HiddenAct,
        };
        return ((T)shared, r);
    }

    /// <summary>Throws <see cref="FormatException"/> naming the first inconsistent value.</summary>
    public virtual void Validate()
    {
        Positive("depth", Depth);
        Positive(WidthKey, HiddenSize);
        Positive("num_heads", NumHeads);
        Positive("in_channels", InChannels);
        Positive(OutWidthKey, OutHiddenSize);
        Positive("patch_size", PatchSize);
        Positive("spatial_merge_size", SpatialMergeSize);
        Positive("temporal_patch_size", TemporalPatchSize);
        if (HiddenSize % NumHeads != 0)
            throw new FormatException($"vision_config.{WidthKey} ({HiddenSize}) is not divisible by num_heads ({NumHeads}).");
        // The 2-D rotary splits each head into a row half and a column half, each made of cos/sin pairs.
        if (HeadDim % 4 != 0)
            throw new FormatException($"vision_config: head dim {WidthKey}/num_heads = {HeadDim} must be a multiple of 4 for the 2-D rotary embedding.");
        if (!SupportedActivations.Contains(HiddenAct))
            throw new FormatException($"vision_config.hidden_act '{HiddenAct}' is not supported (supported: {string.Join(", ", SupportedActivations)}).");
    }

    /// <summary>Throws <see cref="FormatException"/> unless <paramref name="value"/> of <paramref name="key"/> is positive.</summary>
    protected static void Positive(string key, int value)
    {
        if (value <= 0) throw new FormatException($"vision_config.{key} must be positive, got {value}.");
    }

    /// <summary>Builds a randomly initialised tower (float32, CPU) of this configuration.</summary>
    public abstract VisionTower CreateTower();

    /// <summary>Parameters of the tower (patch embedding, blocks, merger), counted from the config alone.</summary>
    public abstract long ParameterCount();

    /// <summary>
    /// Every Linear of the tower (and the patch-embedding convolution, <c>IsLinear: false</c>), named as the tower
    /// registers them (without the <c>visual.</c> prefix), in registration order.
    /// </summary>
    internal abstract IEnumerable<ModuleShape> Modules();
}

/// <summary>A weight-bearing module and its shape, as a config predicts it (used for LoRA targeting and counts).</summary>
/// <param name="Name">Registered module name.</param>
/// <param name="InFeatures">Input width.</param>
/// <param name="OutFeatures">Output width.</param>
/// <param name="IsLinear">False for modules LoRA cannot wrap here (the patch embedding's Conv3d).</param>
internal sealed record ModuleShape(string Name, long InFeatures, long OutFeatures, bool IsLinear = true);
