using System.Text.Json;

namespace VisionGrpo.Models.Qwen3_VL;

/// <summary>
/// The <c>vision_config</c> block of a Qwen3-VL <c>config.json</c>. Defaults are transformers' class defaults
/// (<c>Qwen3VLVisionConfig</c>), applied only when a key is absent or null.
/// </summary>
public sealed record Qwen3VLVisionConfig
{
    /// <summary>Number of vision blocks (<c>depth</c>).</summary>
    public int Depth { get; init; } = 27;
    /// <summary>Width of the ViT residual stream (<c>hidden_size</c>).</summary>
    public int HiddenSize { get; init; } = 1152;
    /// <summary>Width of the (non-gated) block MLP (<c>intermediate_size</c>).</summary>
    public int IntermediateSize { get; init; } = 4304;
    /// <summary>Attention heads per block (<c>num_heads</c>).</summary>
    public int NumHeads { get; init; } = 16;
    /// <summary>Image channels (<c>in_channels</c>).</summary>
    public int InChannels { get; init; } = 3;
    /// <summary>Width of the merged tokens (<c>out_hidden_size</c>); must equal the text hidden size.</summary>
    public int OutHiddenSize { get; init; } = 3584;
    /// <summary>Spatial patch edge in pixels (<c>patch_size</c>).</summary>
    public int PatchSize { get; init; } = 16;
    /// <summary>Patches merged per axis (<c>spatial_merge_size</c>).</summary>
    public int SpatialMergeSize { get; init; } = 2;
    /// <summary>Frames per temporal patch (<c>temporal_patch_size</c>).</summary>
    public int TemporalPatchSize { get; init; } = 2;
    /// <summary>Rows of the learned position table (<c>num_position_embeddings</c>), a square number (48² = 2304).</summary>
    public int NumPositionEmbeddings { get; init; } = 2304;
    /// <summary>Blocks whose output feeds a DeepStack merger (<c>deepstack_visual_indexes</c>), in decoder-layer order.</summary>
    public IReadOnlyList<int> DeepstackVisualIndexes { get; init; } = [8, 16, 24];
    /// <summary>Activation of the block MLPs (<c>hidden_act</c>).</summary>
    public string HiddenAct { get; init; } = "gelu_pytorch_tanh";

    /// <summary>Per-head width.</summary>
    public int HeadDim => HiddenSize / NumHeads;
    /// <summary>Length of one flattened patch row (1536 for the real models).</summary>
    public int PatchDim => InChannels * TemporalPatchSize * PatchSize * PatchSize;
    /// <summary>Patches per merged token.</summary>
    public int SpatialMergeUnit => SpatialMergeSize * SpatialMergeSize;
    /// <summary>Side of the square position table (<c>num_grid_per_side</c>).</summary>
    public int PositionGridSide => (int)Math.Sqrt(NumPositionEmbeddings);

    static readonly string[] SupportedActivations = ["gelu_pytorch_tanh", "gelu", "silu", "quick_gelu"];

    /// <summary>Reads a <c>vision_config</c> object; <paramref name="source"/> names the file in errors.</summary>
    /// <exception cref="InvalidDataException">A key has the wrong type, or the values are inconsistent.</exception>
    public static Qwen3VLVisionConfig FromJson(JsonElement vision, string source)
    {
        JsonElement? v = vision;
        var d = new Qwen3VLVisionConfig();
        var deepstack = ConfigJson.Find("deepstack_visual_indexes", v) is null
            ? d.DeepstackVisualIndexes : ConfigJson.IntList(source, "deepstack_visual_indexes", v);
        var config = new Qwen3VLVisionConfig
        {
            Depth = ConfigJson.Int(source, "depth", d.Depth, v),
            HiddenSize = ConfigJson.Int(source, "hidden_size", d.HiddenSize, v),
            IntermediateSize = ConfigJson.Int(source, "intermediate_size", d.IntermediateSize, v),
            NumHeads = ConfigJson.Int(source, "num_heads", d.NumHeads, v),
            InChannels = ConfigJson.Int(source, "in_channels", d.InChannels, v),
            OutHiddenSize = ConfigJson.Int(source, "out_hidden_size", d.OutHiddenSize, v),
            PatchSize = ConfigJson.Int(source, "patch_size", d.PatchSize, v),
            SpatialMergeSize = ConfigJson.Int(source, "spatial_merge_size", d.SpatialMergeSize, v),
            TemporalPatchSize = ConfigJson.Int(source, "temporal_patch_size", d.TemporalPatchSize, v),
            NumPositionEmbeddings = ConfigJson.Int(source, "num_position_embeddings", d.NumPositionEmbeddings, v),
            DeepstackVisualIndexes = deepstack,
            HiddenAct = ConfigJson.String(source, "hidden_act", v) ?? d.HiddenAct,
        };
        config.Validate(source);
        return config;
    }

    /// <summary>Throws <see cref="InvalidDataException"/> naming the first inconsistent value.</summary>
    public void Validate(string source = "vision_config")
    {
        void Positive(string key, int value)
        {
            if (value <= 0) throw new InvalidDataException($"{source}: vision_config.{key} must be positive, got {value}.");
        }
        Positive("depth", Depth);
        Positive("hidden_size", HiddenSize);
        Positive("intermediate_size", IntermediateSize);
        Positive("num_heads", NumHeads);
        Positive("in_channels", InChannels);
        Positive("out_hidden_size", OutHiddenSize);
        Positive("patch_size", PatchSize);
        Positive("spatial_merge_size", SpatialMergeSize);
        Positive("temporal_patch_size", TemporalPatchSize);
        Positive("num_position_embeddings", NumPositionEmbeddings);
        if (HiddenSize % NumHeads != 0 || HeadDim % 4 != 0)
            throw new InvalidDataException($"{source}: vision_config hidden_size/num_heads = {HiddenSize}/{NumHeads} must be a whole multiple of 4 (2-D rotary).");
        if (PositionGridSide * PositionGridSide != NumPositionEmbeddings)
            throw new InvalidDataException($"{source}: vision_config.num_position_embeddings {NumPositionEmbeddings} must be a square (the table is side × side).");
        foreach (int i in DeepstackVisualIndexes)
            if (i < 0 || i >= Depth)
                throw new InvalidDataException($"{source}: vision_config.deepstack_visual_indexes contains {i}, outside 0..{Depth - 1} (depth {Depth}).");
        if (!SupportedActivations.Contains(HiddenAct))
            throw new InvalidDataException($"{source}: vision_config.hidden_act '{HiddenAct}' is not supported (supported: {string.Join(", ", SupportedActivations)}).");
    }
}
