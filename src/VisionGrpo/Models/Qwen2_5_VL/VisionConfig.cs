using System.Text.Json;

namespace VisionGrpo.Models.Qwen2_5_VL;

/// <summary>
/// The <c>vision_config</c> block of a Qwen2.5-VL <c>config.json</c>. Property defaults are the Hugging Face class
/// defaults (not the 3B values: e.g. <see cref="HiddenSize"/> 3584), applied only when a key is absent or null.
/// </summary>
public sealed record Qwen2_5_VLVisionConfig : VisionTowerConfig
{
    /// <summary>Number of vision blocks (<c>depth</c>).</summary>
    public override int Depth { get; init; } = 32;

    /// <summary>Width of the ViT residual stream (<c>hidden_size</c>, 1280 in the released models).</summary>
    public override int HiddenSize { get; init; } = 3584;

    /// <summary>Width of the SwiGLU MLP inside each block (<c>intermediate_size</c>).</summary>
    public int IntermediateSize { get; init; } = 3420;

    /// <summary>Attention heads per block (<c>num_heads</c>).</summary>
    public override int NumHeads { get; init; } = 16;

    /// <summary>Image channels (<c>in_channels</c>, legacy <c>in_chans</c>).</summary>
    public override int InChannels { get; init; } = 3;

    /// <summary>Width of the merged output tokens (<c>out_hidden_size</c>); must equal the text hidden size.</summary>
    public override int OutHiddenSize { get; init; } = 3584;

    /// <summary>Spatial patch edge in pixels (<c>patch_size</c>, legacy duplicate <c>spatial_patch_size</c>).</summary>
    public override int PatchSize { get; init; } = 14;

    /// <summary>Patches merged per axis by the patch merger (<c>spatial_merge_size</c>).</summary>
    public override int SpatialMergeSize { get; init; } = 2;

    /// <summary>Frames per temporal patch (<c>temporal_patch_size</c>).</summary>
    public override int TemporalPatchSize { get; init; } = 2;

    /// <summary>Attention window edge in pixels (<c>window_size</c>).</summary>
    public int WindowSize { get; init; } = 112;

    /// <summary>Blocks that attend over whole frames instead of windows (<c>fullatt_block_indexes</c>).</summary>
    public IReadOnlyList<int> FullAttBlockIndexes { get; init; } = [7, 15, 23, 31];

    /// <summary>Activation of the block MLPs (<c>hidden_act</c>).</summary>
    public override string HiddenAct { get; init; } = "silu";

    /// <summary>Temporal position scale for videos (<c>tokens_per_second</c>); unused for still images.</summary>
    public double TokensPerSecond { get; init; } = 4;

    /// <summary>Window edge in merged tokens: window_size / merge / patch (4 for the real models).</summary>
    public int WindowMergedTokens => WindowSize / SpatialMergeSize / PatchSize;

    /// <inheritdoc/>
    public override VisionTower CreateTower() => new Qwen2_5_VisionTransformer(this);

    /// <inheritdoc/>
    public override long ParameterCount()
    {
        long h = HiddenSize, i = IntermediateSize;
        long patch = h * PatchDim;
        long block = 2 * h + (3 * h * h + 3 * h) + (h * h + h) + 2 * (i * h + i) + (h * i + h);
        long mergedWidth = h * SpatialMergeUnit;
        long merger = h + (mergedWidth * mergedWidth + mergedWidth) + ((long)OutHiddenSize * mergedWidth + OutHiddenSize);
        return patch + Depth * block + merger;
    }

    /// <inheritdoc/>
    internal override IEnumerable<ModuleShape> Modules()
    {
        long h = HiddenSize, merged = h * SpatialMergeUnit;
        yield return new ModuleShape("patch_embed.proj", PatchDim, h, IsLinear: false);
        for (int i = 0; i < Depth; i++)
        {
            string p = $"blocks.{i}.";
            yield return new ModuleShape(p + "attn.qkv", h, 3 * h);
            yield return new ModuleShape(p + "attn.proj", h, h);
            yield return new ModuleShape(p + "mlp.gate_proj", h, IntermediateSize);
            yield return new ModuleShape(p + "mlp.up_proj", h, IntermediateSize);
            yield return new ModuleShape(p + "mlp.down_proj", IntermediateSize, h);
        }
        yield return new ModuleShape("merger.mlp.0", merged, merged);
        yield return new ModuleShape("merger.mlp.2", merged, OutHiddenSize);
    }

    /// <summary>The SwiGLU width, <see cref="IntermediateSize"/>.</summary>
    public override int MlpWidth => IntermediateSize;

    /// <inheritdoc/>
    protected override string WidthKey => "hidden_size";

    /// <inheritdoc/>
    protected override string OutWidthKey => "out_hidden_size";

    /// <summary>The vision tower of Qwen/Qwen2.5-VL-3B-Instruct (its hub <c>vision_config</c>).</summary>
    public static Qwen2_5_VLVisionConfig Qwen2_5_VL_3B { get; } = new()
    {
        Depth = 32, HiddenSize = 1280, IntermediateSize = 3420, NumHeads = 16, OutHiddenSize = 2048,
        TokensPerSecond = 2,
    };

    /// <summary>
    /// Reads a <c>vision_config</c> object: accepts <c>in_chans</c> or <c>in_channels</c>, checks the legacy
    /// <c>spatial_patch_size</c>, fills absent or null keys with the class defaults and validates the result.
    /// </summary>
    /// <exception cref="FormatException">A key has the wrong JSON type, or the values are inconsistent.</exception>
    public static Qwen2_5_VLVisionConfig FromJson(JsonElement visionConfig)
    {
        var (shared, r) = ReadSharedKeys<Qwen2_5_VLVisionConfig>(visionConfig);
        string? modelType = r.String("model_type");
        if (modelType is "qwen2_vl")
            throw new FormatException("vision_config.model_type 'qwen2_vl' is a Qwen2-VL vision tower (LayerNorm, QuickGELU MLP) but the model is Qwen2.5-VL; a Qwen2-VL model has model_type 'qwen2_vl' at the top level.");

        var config = shared with
        {
            IntermediateSize = r.Int("intermediate_size") ?? shared.IntermediateSize,
            WindowSize = r.Int("window_size") ?? shared.WindowSize,
            FullAttBlockIndexes = r.IntArray("fullatt_block_indexes") ?? shared.FullAttBlockIndexes,
            TokensPerSecond = r.Double("tokens_per_second") ?? shared.TokensPerSecond,
        };
        config.Validate();
        return config;
    }

    /// <inheritdoc/>
    public override void Validate()
    {
        base.Validate();
        Positive("intermediate_size", IntermediateSize);
        Positive("window_size", WindowSize);
        if (WindowSize % (SpatialMergeSize * PatchSize) != 0)
            throw new FormatException($"vision_config.window_size ({WindowSize}) must be a multiple of spatial_merge_size·patch_size ({SpatialMergeSize * PatchSize}).");
        foreach (int i in FullAttBlockIndexes)
            if (i < 0 || i >= Depth)
                throw new FormatException($"vision_config.fullatt_block_indexes contains {i}, outside 0..{Depth - 1} (depth {Depth}).");
        if (TokensPerSecond < 0)
            throw new FormatException($"vision_config.tokens_per_second must not be negative, got {TokensPerSecond}.");
    }
}
