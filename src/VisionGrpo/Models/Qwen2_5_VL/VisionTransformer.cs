using TorchSharp;
using TorchSharp.Modules;
using VisionGrpo.Models.Qwen2;
using static TorchSharp.torch;

namespace VisionGrpo.Models.Qwen2_5_VL;

/// <summary>
/// The Qwen2.5-VL vision tower (<c>visual.*</c> in hub checkpoints): patch embedding → window permutation →
/// blocks (window attention, full attention per frame in <see cref="Qwen2_5_VLVisionConfig.FullAttBlockIndexes"/>)
/// → patch merger → inverse permutation. Parameter names are the checkpoint names without the <c>visual.</c>
/// prefix (<c>patch_embed.proj.weight</c>, <c>blocks.{i}.…</c>, <c>merger.…</c>).
/// </summary>
public sealed class Qwen2_5_VisionTransformer : VisionTower
{
    readonly VisionRotaryEmbedding _rotary;
    readonly HashSet<int> _fullAttention;
#pragma warning disable IDE1006 // module names must match the checkpoint keys
    readonly VisionPatchEmbed patch_embed;
    readonly ModuleList<VisionBlock> blocks;
    readonly PatchMerger merger;
#pragma warning restore IDE1006

    /// <summary>Configuration this tower was built from.</summary>
    public Qwen2_5_VLVisionConfig Config { get; }

    /// <inheritdoc/>
    public override VisionTowerConfig TowerConfig => Config;

    /// <summary>Creates a randomly initialised tower for <paramref name="config"/> (float32, CPU).</summary>
    public Qwen2_5_VisionTransformer(Qwen2_5_VLVisionConfig config) : base(nameof(Qwen2_5_VisionTransformer))
    {
        ArgumentNullException.ThrowIfNull(config);
        config.Validate();
        Config = config;
        _rotary = new VisionRotaryEmbedding(config);
        _fullAttention = [.. config.FullAttBlockIndexes];
        patch_embed = new VisionPatchEmbed(config);
        blocks = nn.ModuleList(Enumerable.Range(0, config.Depth)
            .Select(_ => new VisionBlock(config, RmsNorm, new VisionMlp(config))).ToArray());
        merger = new PatchMerger(config, RmsNorm);
        RegisterComponents();
    }

    /// <summary>
    /// Embeds <paramref name="pixelValues"/> <c>[Σ t·h·w, patch_dim]</c> (any float dtype; cast to the weight dtype)
    /// for the images/videos of <paramref name="gridThw"/> <c>[n, 3]</c>. Returns
    /// <c>[Σ t·h·w / merge², out_hidden_size]</c> in the weight dtype, in raster merged-token order per image, images
    /// concatenated in order — the rows that replace the image placeholder tokens.
    /// </summary>
    public override Tensor forward(Tensor pixelValues, Tensor gridThw) => forward(pixelValues, gridThw, trace: null);

    /// <summary>
    /// <see cref="forward(Tensor, Tensor)"/> that also records detached copies of the intermediates into
    /// <paramref name="trace"/> (when not null) for parity checks against transformers.
    /// </summary>
    internal Tensor forward(Tensor pixelValues, Tensor gridThw, VisionTowerTrace? trace)
    {
        var grids = VisionGrid.ForPixels(pixelValues, gridThw, Config.SpatialMergeSize);

        using var scope = NewDisposeScope();
        var device = patch_embed.parameters().First().device;
        var layout = VisionWindowLayout.Compute(grids, Config.WindowMergedTokens, Config.SpatialMergeSize);
        int unit = Config.SpatialMergeUnit;

        var h = patch_embed.forward(pixelValues);
        var freqs = _rotary.PatchFrequencies(grids, device);
        trace?.Record(h, freqs, layout);

        // Permute groups of merge² patch rows into window order; the rotary angles move with their patches.
        var windowIndex = tensor(layout.WindowIndex, device: device);
        h = Permute(h, windowIndex, unit);
        freqs = Permute(freqs, windowIndex, unit);
        var (cos, sin) = VisionRotaryEmbedding.CosSin(freqs);

        for (int i = 0; i < blocks.Count; i++)
        {
            var cu = _fullAttention.Contains(i) ? layout.CuSeqlens : layout.CuWindowSeqlens;
            h = blocks[i].forward(h, cu, cos, sin);
            trace?.BlockOutputs.Add(h.detach().clone().MoveToOuterDisposeScope());
        }

        var merged = merger.forward(h);
        trace?.SetMergerOutput(merged);
        return merged.index_select(0, tensor(layout.InverseWindowIndex(), device: device)).MoveToOuterDisposeScope();
    }

    static nn.Module<Tensor, Tensor> RmsNorm(long width) => new Qwen2RMSNorm(width, VisionBlock.NormEps);

    static Tensor Permute(Tensor rows, Tensor groupIndex, int unit)
    {
        long s = rows.shape[0];
        return rows.reshape(s / unit, unit, -1).index_select(0, groupIndex).reshape(s, -1);
    }
}
