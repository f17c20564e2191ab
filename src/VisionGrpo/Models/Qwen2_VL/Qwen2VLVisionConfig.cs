using System.Text.Json;

namespace VisionGrpo.Models.Qwen2_VL;

/// <summary>
/// The <c>vision_config</c> block of a Qwen2-VL <c>config.json</c>. Its names differ from Qwen2.5-VL's: the ViT width
/// is <c>embed_dim</c> (<see cref="HiddenSize"/> here), <c>hidden_size</c> is the merged output width
/// (<see cref="OutHiddenSize"/>, = the text hidden size), and the MLP width is <c>embed_dim · mlp_ratio</c>.
/// Defaults are transformers' <c>Qwen2VLVisionConfig</c> defaults, used only for absent or null keys.
/// </summary>
public sealed record Qwen2VLVisionConfig : VisionTowerConfig
{
    /// <inheritdoc/>
    public override int Depth { get; init; } = 32;
    /// <summary>Width of the ViT residual stream (<c>embed_dim</c>).</summary>
    public override int HiddenSize { get; init; } = 1280;
    /// <inheritdoc/>
    public override int NumHeads { get; init; } = 16;
    /// <inheritdoc/>
    public override int InChannels { get; init; } = 3;
    /// <summary>Width of the merged output tokens (<c>hidden_size</c> in this family's config).</summary>
    public override int OutHiddenSize { get; init; } = 3584;
    /// <inheritdoc/>
    public override int PatchSize { get; init; } = 14;
    /// <inheritdoc/>
    public override int SpatialMergeSize { get; init; } = 2;
    /// <inheritdoc/>
    public override int TemporalPatchSize { get; init; } = 2;
    /// <inheritdoc/>
    public override string HiddenAct { get; init; } = "quick_gelu";
    /// <summary>MLP width over ViT width (<c>mlp_ratio</c>, 4 in the released models).</summary>
    public double MlpRatio { get; init; } = 4;

    /// <summary>Width of the <c>fc1</c>/<c>fc2</c> MLP: <c>int(embed_dim · mlp_ratio)</c> as transformers truncates it.</summary>
    public override int MlpWidth => (int)(HiddenSize * MlpRatio);

    /// <inheritdoc/>
    protected override string WidthKey => "embed_dim";

    /// <inheritdoc/>
    protected override string OutWidthKey => "hidden_size";

    /// <summary>Reads a Qwen2-VL <c>vision_config</c> object, fills absent keys with the class defaults and validates it.</summary>
    /// <exception cref="FormatException">A key has the wrong JSON type, or the values are inconsistent.</exception>
    public static Qwen2VLVisionConfig FromJson(JsonElement visionConfig)
    {
        var (shared, r) = ReadSharedKeys<Qwen2VLVisionConfig>(visionConfig);
        var config = shared with { MlpRatio = r.Double("mlp_ratio") ?? shared.MlpRatio };
        config.Validate();
        return config;
    }

    /// <inheritdoc/>
    public override void Validate()
    {
        base.Validate();
        if (!(MlpRatio > 0) || MlpWidth <= 0)
            throw new FormatException($"vision_config.mlp_ratio must give a positive MLP width (embed_dim · mlp_ratio), got {MlpRatio}.");
    }

    /// <inheritdoc/>
    public override VisionTower CreateTower() => new Qwen2VisionTransformer(this);

    /// <inheritdoc/>
    public override long ParameterCount()
    {
        long e = HiddenSize, m = MlpWidth, merged = e * SpatialMergeUnit;
        long layerNorm = 2 * e;
        long block = 2 * layerNorm + (3 * e * e + 3 * e) + (e * e + e) + (e * m + m) + (m * e + e);
        long merger = layerNorm + (merged * merged + merged) + ((long)OutHiddenSize * merged + OutHiddenSize);
        return e * PatchDim + Depth * block + merger;
    }

    /// <inheritdoc/>
    internal override IEnumerable<ModuleShape> Modules()
    {
        long e = HiddenSize, merged = e * SpatialMergeUnit;
        yield return new ModuleShape("patch_embed.proj", PatchDim, e, IsLinear: false);
        for (int i = 0; i < Depth; i++)
        {
            string p = $"blocks.{i}.";
            yield return new ModuleShape(p + "attn.qkv", e, 3 * e);
            yield return new ModuleShape(p + "attn.proj", e, e);
            yield return new ModuleShape(p + "mlp.fc1", e, MlpWidth);
            yield return new ModuleShape(p + "mlp.fc2", MlpWidth, e);
        }
        yield return new ModuleShape("merger.mlp.0", merged, merged);
        yield return new ModuleShape("merger.mlp.2", merged, OutHiddenSize);
    }
}
