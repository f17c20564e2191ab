using TorchSharp;
using TorchSharp.Modules;
using VisionGrpo.Models.Qwen2_5_VL;
using static TorchSharp.torch;

namespace VisionGrpo.Models.Qwen2_VL;

/// <summary>
/// The Qwen2-VL vision tower (<c>visual.*</c>): patch embedding → blocks (LayerNorm, full attention within each
/// frame, QuickGELU MLP) → patch merger (LayerNorm <c>ln_q</c>). No window permutation: rows stay in
/// <c>pixel_values</c> order throughout. The patch embedding, 2-D rotary, attention and merger MLP are the ones
/// Qwen2.5-VL inherited from this family.
/// </summary>
public sealed class Qwen2VisionTransformer : VisionTower
{
    readonly VisionRotaryEmbedding _rotary;
#pragma warning disable IDE1006 // module names must match the checkpoint keys
    readonly VisionPatchEmbed patch_embed;
    readonly ModuleList<VisionBlock> blocks;
    readonly PatchMerger merger;
#pragma warning restore IDE1006

    /// <summary>Configuration this tower was built from.</summary>
    public Qwen2VLVisionConfig Config { get; }

    /// <inheritdoc/>
    public override VisionTowerConfig TowerConfig => Config;

    /// <summary>Creates a randomly initialised tower for <paramref name="config"/> (float32, CPU).</summary>
    public Qwen2VisionTransformer(Qwen2VLVisionConfig config) : base(nameof(Qwen2VisionTransformer))
    {
        ArgumentNullException.ThrowIfNull(config);
        config.Validate();
        Config = config;
        _rotary = new VisionRotaryEmbedding(config);
        patch_embed = new VisionPatchEmbed(config);
        blocks = nn.ModuleList(Enumerable.Range(0, config.Depth)
            .Select(_ => new VisionBlock(config, LayerNorm, new VisionPlainMlp(config, "fc1", "fc2"))).ToArray());
        merger = new PatchMerger(config, LayerNorm);
        RegisterComponents();
    }

    /// <inheritdoc/>
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

        var h = patch_embed.forward(pixelValues);
        var freqs = _rotary.PatchFrequencies(grids, device);
        trace?.Record(h, freqs, layout: null);
        var (cos, sin) = VisionRotaryEmbedding.CosSin(freqs);

        // Every block attends over whole frames.
        var frames = VisionGrid.FrameBoundaries(grids);
        foreach (var block in blocks)
        {
            h = block.forward(h, frames, cos, sin);
            trace?.BlockOutputs.Add(h.detach().clone().MoveToOuterDisposeScope());
        }

        var merged = merger.forward(h);
        trace?.SetMergerOutput(merged);
        return merged.MoveToOuterDisposeScope();
    }

    static nn.Module<Tensor, Tensor> LayerNorm(long width) => nn.LayerNorm(width, VisionBlock.NormEps);
}
