using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace VisionGrpo.Models.Qwen2_5_VL;

/// <summary>
/// The Conv3d patch embedding (kernel = stride = temporal·patch·patch; no bias before Qwen3-VL). Every patch row is exactly one
/// kernel footprint, so the convolution is one matmul with the flattened kernel. Parameter: <c>proj.weight</c>
/// <c>[hidden, channels, temporal, patch, patch]</c>.
/// </summary>
public sealed class VisionPatchEmbed : nn.Module<Tensor, Tensor>
{
    readonly int _hidden;
    readonly int _patchDim;
#pragma warning disable IDE1006 // module name must match the checkpoint key
    readonly Conv3d proj;
#pragma warning restore IDE1006

    /// <summary>Creates the embedding for <paramref name="config"/>, with a bias when <paramref name="bias"/> (Qwen3-VL).</summary>
    public VisionPatchEmbed(VisionTowerConfig config, bool bias = false) : base(nameof(VisionPatchEmbed))
    {
        _hidden = config.HiddenSize;
        _patchDim = config.PatchDim;
        var kernel = ((long)config.TemporalPatchSize, (long)config.PatchSize, (long)config.PatchSize);
        proj = nn.Conv3d(config.InChannels, config.HiddenSize, kernel, stride: kernel, bias: bias);
        RegisterComponents();
    }

    /// <summary>Maps <c>[P, patch_dim]</c> pixel rows (cast to the weight dtype first, as HF does) to <c>[P, hidden]</c>.</summary>
    public override Tensor forward(Tensor pixelValues)
    {
        if (pixelValues.ndim != 2 || pixelValues.shape[1] != _patchDim)
            throw new ArgumentException($"pixel_values must have shape [patches, {_patchDim}], got [{string.Join(", ", pixelValues.shape)}].", nameof(pixelValues));
        using var scope = NewDisposeScope();
        var w = proj.weight!;
        var x = pixelValues.to(w.dtype, w.device);
        return nn.functional.linear(x, w.reshape(_hidden, _patchDim), proj.bias).MoveToOuterDisposeScope();
    }
}
