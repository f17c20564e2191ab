using TorchSharp;
using static TorchSharp.torch;

namespace VisionGrpo.Models;

/// <summary>
/// A vision tower (<c>visual.*</c>): <c>pixel_values</c> <c>[Σ t·h·w, patch_dim]</c> and <c>grid_thw</c>
/// <c>[n, 3]</c> in, the merged image rows <c>[Σ t·h·w / merge², out_hidden_size]</c> out (raster merged-token order
/// per image, images concatenated in order) — the rows that replace the image placeholder tokens. One subclass per
/// model family; <see cref="VisionTowerConfig.CreateTower"/> picks it.
/// </summary>
public abstract class VisionTower : nn.Module<Tensor, Tensor, Tensor>
{
    /// <summary>Creates the module under <paramref name="name"/>.</summary>
    protected VisionTower(string name) : base(name) { }

    /// <summary>The configuration this tower was built from.</summary>
    public abstract VisionTowerConfig TowerConfig { get; }

    /// <summary>
    /// Splits the tower's output into the rows that replace the image tokens and the DeepStack levels (Qwen3-VL),
    /// which a tower with <see cref="VisionTowerConfig.DeepstackLevels"/> &gt; 0 appends along the feature axis:
    /// <c>[tokens, out·(1 + levels)]</c>. Keeping them in one row per image token lets every caller slice image
    /// features per prompt without knowing about DeepStack.
    /// </summary>
    /// <exception cref="ArgumentException">The width is not <c>out_hidden_size · (1 + levels)</c>.</exception>
    public (Tensor Embeds, Tensor[] Deepstack) SplitFeatures(Tensor features)
    {
        long width = TowerConfig.OutHiddenSize;
        int levels = TowerConfig.DeepstackLevels;
        if (features.dim() != 2 || features.shape[1] != width * (1 + levels))
            throw new ArgumentException($"image features must be [tokens, {width * (1 + levels)}] (out_hidden_size {width} × (1 + {levels} DeepStack levels)), got [{string.Join(", ", features.shape)}].");
        if (levels == 0) return (features, []);
        var parts = features.split(width, 1);
        return (parts[0], parts[1..]);
    }
}
