using System.Text.Json;

namespace VisionGrpo.Models.Qwen3_VL;

/// <summary>
/// The <c>vision_config</c> block of a Qwen3-VL <c>config.json</c>. Defaults are transformers' class defaults
/// (<c>Qwen3VLVisionConfig</c>), applied only when a key is absent or null.
/// </summary>
public sealed record Qwen3VLVisionConfig : VisionTowerConfig
{
    /// <inheritdoc/>
    public override int Depth { get; init; } = 27;
    /// <inheritdoc/>
    public override int HiddenSize { get; init; } = 1152;
    /// <summary>Width of the (non-gated) block MLP (<c>intermediate_size</c>).</summary>
    public int IntermediateSize { get; init; } = 4304;
    /// <inheritdoc/>
    public override int NumHeads { get; init; } = 16;
    /// <inheritdoc/>
    public override int InChannels { get; init; } = 3;
    /// <inheritdoc/>
    public override int OutHiddenSize { get; init; } = 3584;
    /// <inheritdoc/>
    public override int PatchSize { get; init; } = 16;
    /// <inheritdoc/>
    public override int SpatialMergeSize { get; init; } = 2;
    /// <inheritdoc/>
    public override int TemporalPatchSize { get; init; } = 2;
    /// <inheritdoc/>
    public override string HiddenAct { get; init; } = "gelu_pytorch_tanh";
    /// <summary>Rows of the learned position table (<c>num_position_embeddings</c>), a square number (48² = 2304).</summary>
    public int NumPositionEmbeddings { get; init; } = 2304;
    /// <summary>Blocks whose output feeds a DeepStack merger (<c>deepstack_visual_indexes</c>), in decoder-layer order.</summary>
    public IReadOnlyList<int> DeepstackVisualIndexes { get; init; } = [8, 16, 24];

    /// <inheritdoc/>
    public override int MlpWidth => IntermediateSize;
    /// <inheritdoc/>
    public override int DeepstackLevels => DeepstackVisualIndexes.Count;
    /// <summary>Side of the square position table (<c>num_grid_per_side</c>).</summary>
    public int PositionGridSide => (int)Math.Sqrt(NumPositionEmbeddings);

    /// <inheritdoc/>
    protected override string WidthKey => "hidden_size";
    /// <inheritdoc/>
    protected override string OutWidthKey => "out_hidden_size";

    /// <summary>Reads a Qwen3-VL <c>vision_config</c> object, fills absent keys with the class defaults and validates it.</summary>
    /// <exception cref="FormatException">A key has the wrong JSON type, or the values are inconsistent.</exception>
    public static Qwen3VLVisionConfig FromJson(JsonElement visionConfig)
    {
        var (shared, r) = ReadSharedKeys<Qwen3VLVisionConfig>(visionConfig);
        var config = shared with
        {
            IntermediateSize = r.Int("intermediate_size") ?? shared.IntermediateSize,
            NumPositionEmbeddings = r.Int("num_position_embeddings") ?? shared.NumPositionEmbeddings,
            DeepstackVisualIndexes = r.IntArray("deepstack_visual_indexes") ?? shared.DeepstackVisualIndexes,
        };
        config.Validate();
        return config;
    }

    /// <inheritdoc/>
    public override void Validate()
    {
        base.Validate();
        Positive("intermediate_size", IntermediateSize);
        Positive("num_position_embeddings", NumPositionEmbeddings);
        if (PositionGridSide * PositionGridSide != NumPositionEmbeddings)
            throw new FormatException($"vision_config.num_position_embeddings {NumPositionEmbeddings} must be a square (the table is side × side).");
        foreach (int i in DeepstackVisualIndexes)
            if (i < 0 || i >= Depth)
                throw new FormatException($"vision_config.deepstack_visual_indexes contains {i}, outside 0..{Depth - 1} (depth {Depth}).");
    }

    /// <inheritdoc/>
    public override VisionTower CreateTower() => new Qwen3VLVisionModel(this);

    /// <inheritdoc/>
    public override long ParameterCount()
    {
        long h = HiddenSize, i = IntermediateSize, merged = h * SpatialMergeUnit, outWidth = OutHiddenSize;
        long patchEmbed = h * PatchDim + h;
        long positionTable = (long)NumPositionEmbeddings * h;
        long block = 2 * (2 * h) + (3 * h * h + 3 * h) + (h * h + h) + (i * h + i) + (h * i + h);
        long mlp = (merged * merged + merged) + (outWidth * merged + outWidth);
        long merger = 2 * h + mlp;
        long deepstackMerger = 2 * merged + mlp;
        return patchEmbed + positionTable + Depth * block + merger + DeepstackLevels * deepstackMerger;
    }

    /// <inheritdoc/>
    internal override IEnumerable<ModuleShape> Modules()
    {
        long h = HiddenSize, merged = h * SpatialMergeUnit;
        yield return new ModuleShape("patch_embed.proj", PatchDim, h, IsLinear: false);
        for (int b = 0; b < Depth; b++)
        {
            string p = $"blocks.{b}.";
            yield return new ModuleShape(p + "attn.qkv", h, 3 * h);
            yield return new ModuleShape(p + "attn.proj", h, h);
            yield return new ModuleShape(p + "mlp.linear_fc1", h, IntermediateSize);
            yield return new ModuleShape(p + "mlp.linear_fc2", IntermediateSize, h);
        }
        foreach (string merger in new[] { "merger" }.Concat(DeepstackVisualIndexes.Select((_, k) => $"deepstack_merger_list.{k}")))
        {
            yield return new ModuleShape(merger + ".linear_fc1", merged, merged);
            yield return new ModuleShape(merger + ".linear_fc2", merged, OutHiddenSize);
        }
    }
}
