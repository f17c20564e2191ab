using TorchSharp;

namespace VisionGrpo.Vision;

/// <summary>The processor output for a batch of images: <c>pixel_values</c> (float32, row-major
/// [<see cref="NumPatches"/>, <see cref="PatchDim"/>], images concatenated in order) and one grid row per image.</summary>
public sealed class ProcessedImages
{
    internal ProcessedImages(float[] pixelValues, int patchDim, ImageGrid[] grids, (int Height, int Width)[] resizedSizes)
    {
        PixelValues = pixelValues;
        PatchDim = patchDim;
        Grids = grids;
        ResizedSizes = resizedSizes;
    }

    /// <summary>Flattened <c>pixel_values</c>: row r, column q at <c>r·PatchDim + q</c>.</summary>
    public float[] PixelValues { get; }

    /// <summary>Values per patch row: 3·temporal_patch_size·patch_size² (1176 for Qwen2-VL).</summary>
    public int PatchDim { get; }

    /// <summary>Total patch rows over all images.</summary>
    public int NumPatches => PixelValues.Length / PatchDim;

    /// <summary><c>image_grid_thw</c>, one entry per image.</summary>
    public IReadOnlyList<ImageGrid> Grids { get; }

    /// <summary>Each image's size (height, width) after resizing, as fed to the patchifier.</summary>
    public IReadOnlyList<(int Height, int Width)> ResizedSizes { get; }

    /// <summary><c>image_grid_thw</c> as row-major int64 [images, 3].</summary>
    public long[] GridThw() => Grids.SelectMany(g => new long[] { g.T, g.H, g.W }).ToArray();

    /// <summary>A float32 [NumPatches, PatchDim] CPU tensor holding a copy of <see cref="PixelValues"/>.</summary>
    public torch.Tensor PixelValuesTensor() => torch.tensor(PixelValues, [NumPatches, PatchDim], torch.float32);

    /// <summary>An int64 [images, 3] CPU tensor of <c>image_grid_thw</c>.</summary>
    public torch.Tensor ImageGridThwTensor() => torch.tensor(GridThw(), [Grids.Count, 3], torch.int64);
}
