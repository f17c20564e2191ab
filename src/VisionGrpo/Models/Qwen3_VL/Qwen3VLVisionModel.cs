using TorchSharp;
using TorchSharp.Modules;
using VisionGrpo.Models.Qwen2_5_VL;
using static TorchSharp.torch;

namespace VisionGrpo.Models.Qwen3_VL;

/// <summary>Output of <see cref="Qwen3VLVisionModel.Encode"/>.</summary>
/// <param name="Embeds">Merger output <c>[image tokens, out_hidden]</c>: the rows that replace <c>&lt;|image_pad|&gt;</c>.</param>
/// <param name="Deepstack">One <c>[image tokens, out_hidden]</c> tensor per DeepStack level, added after decoder layer k.</param>
internal sealed record Qwen3VLVisionOutput(Tensor Embeds, IReadOnlyList<Tensor> Deepstack);

/// <summary>
/// The Qwen3-VL vision tower (<c>model.visual.*</c>): Conv3d patch embedding with bias, plus the learned position
/// table bilinearly interpolated to each image's grid; 2-D rotary; LayerNorm blocks attending within each image
/// (no windows); the merger; and one DeepStack merger per <c>deepstack_visual_indexes</c> entry reading that block's
/// output. Parameter names are the checkpoint names below <c>visual.</c>. <see cref="forward"/> returns the merger
/// output with the DeepStack levels appended along the feature axis (<see cref="VisionTower.SplitFeatures"/>).
/// </summary>
public sealed class Qwen3VLVisionModel : VisionTower
{
    readonly VisionRotaryEmbedding _rotary;
#pragma warning disable IDE1006 // module names must match the checkpoint keys
    readonly VisionPatchEmbed patch_embed;
    readonly Embedding pos_embed;
    readonly ModuleList<VisionBlock> blocks;
    readonly Qwen3VLPatchMerger merger;
    readonly ModuleList<Qwen3VLPatchMerger> deepstack_merger_list;
#pragma warning restore IDE1006

    /// <summary>The configuration.</summary>
    public Qwen3VLVisionConfig Config { get; }

    /// <inheritdoc/>
    public override VisionTowerConfig TowerConfig => Config;

    /// <summary>Creates a tower for <paramref name="config"/> (float32, CPU; placeholder values until loaded).</summary>
    public Qwen3VLVisionModel(Qwen3VLVisionConfig config) : base(nameof(Qwen3VLVisionModel))
    {
        config.Validate();
        Config = config;
        _rotary = new VisionRotaryEmbedding(config);
        patch_embed = new VisionPatchEmbed(config, bias: true);
        pos_embed = nn.Embedding(config.NumPositionEmbeddings, config.HiddenSize);
        // The shared block with LayerNorms (weight and bias) and the non-gated linear_fc1/linear_fc2 MLP (tanh GELU).
        blocks = nn.ModuleList(Enumerable.Range(0, config.Depth)
            .Select(_ => new VisionBlock(config, width => nn.LayerNorm(width, VisionBlock.NormEps), new VisionPlainMlp(config, "linear_fc1", "linear_fc2"))).ToArray());
        merger = new Qwen3VLPatchMerger(config, postShuffleNorm: false);
        deepstack_merger_list = nn.ModuleList(config.DeepstackVisualIndexes.Select(_ => new Qwen3VLPatchMerger(config, postShuffleNorm: true)).ToArray());
        RegisterComponents();
    }

    /// <summary>
    /// Image features <c>[Σ tokens, out_hidden·(1 + levels)]</c> of <paramref name="pixelValues"/> <c>[Σ t·h·w, patch_dim]</c>:
    /// the merger output, then each DeepStack level.
    /// </summary>
    public override Tensor forward(Tensor pixelValues, Tensor gridThw)
    {
        using var scope = NewDisposeScope();
        var output = Encode(pixelValues, gridThw);
        return cat([output.Embeds, .. output.Deepstack], 1).MoveToOuterDisposeScope();
    }

    /// <summary>
    /// Embeds <paramref name="pixelValues"/> <c>[Σ t·h·w, patch_dim]</c> of the images in <paramref name="gridThw"/>
    /// <c>[n, 3]</c> into the merger output and the DeepStack levels; the trace, when given, records the
    /// intermediates for parity checks.
    /// </summary>
    internal Qwen3VLVisionOutput Encode(Tensor pixelValues, Tensor gridThw, Qwen3VLVisionTrace? trace = null)
    {
        var grids = VisionGrid.FromTensor(gridThw, Config.SpatialMergeSize);
        if (grids.Count == 0) throw new ArgumentException("grid_thw has no rows: the vision tower needs at least one image.", nameof(gridThw));
        long patches = grids.Sum(g => (long)g.Patches);
        if (pixelValues.ndim != 2 || pixelValues.shape[0] != patches)
            throw new ArgumentException($"pixel_values has shape [{string.Join(", ", pixelValues.shape)}] but grid_thw describes {patches} patches (rows).", nameof(pixelValues));

        using var scope = NewDisposeScope();
        var weight = pos_embed.weight!;
        var h = patch_embed.forward(pixelValues);
        var (index, tapWeights) = PositionInterpolation.Compute(grids, Config.PositionGridSide, Config.SpatialMergeSize, weight.device);
        var taps = pos_embed.forward(index) * tapWeights.to(weight.dtype).unsqueeze(-1);
        var positions = taps[0] + taps[1] + taps[2] + taps[3];
        trace?.RecordEmbeddings(h, positions);
        h = h + positions;

        var freqs = _rotary.PatchFrequencies(grids, weight.device);
        trace?.RecordRotary(freqs);
        var (cos, sin) = VisionRotaryEmbedding.CosSin(freqs);
        int[] cu = FrameBoundaries(grids);

        var deepstack = new Tensor?[Config.DeepstackVisualIndexes.Count];
        for (int i = 0; i < blocks.Count; i++)
        {
            h = blocks[i].forward(h, cu, cos, sin);
            trace?.BlockOutputs.Add(h.detach().clone().MoveToOuterDisposeScope());
            for (int level = 0; level < deepstack.Length; level++)
                if (Config.DeepstackVisualIndexes[level] == i) deepstack[level] = deepstack_merger_list[level].forward(h);
        }
        var merged = merger.forward(h).MoveToOuterDisposeScope();
        return new Qwen3VLVisionOutput(merged, deepstack.Select(d => d!.MoveToOuterDisposeScope()).ToArray());
    }

    /// <summary>Patch boundaries of every frame of every image, leading 0: attention never crosses them.</summary>
    static int[] FrameBoundaries(IReadOnlyList<VisionGrid> grids)
    {
        var cu = new List<int> { 0 };
        foreach (var g in grids)
            for (int f = 0; f < g.T; f++) cu.Add(cu[^1] + g.H * g.W);
        return [.. cu];
    }
}
