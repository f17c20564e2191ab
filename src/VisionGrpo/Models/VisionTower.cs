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
}
