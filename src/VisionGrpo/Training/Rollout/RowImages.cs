using TorchSharp;
using static TorchSharp.torch;

namespace VisionGrpo.Training.Rollout;

/// <summary>
/// The images of a round's unique prompts, split per prompt so any set of completion rows can take its own (TRL keeps
/// <c>pixel_values</c> attached to their row through its shuffle and split into micro-batches). Holds either
/// vision-tower outputs (computed once, no gradient, when nothing in the vision tower trains) or raw pixel patches
/// (when it does).
/// </summary>
internal sealed class RowImages
{
    readonly Tensor?[] _data;
    readonly Tensor?[] _grids;

    /// <summary>Per-prompt data and grid rows (null entries: no image); the tensors are borrowed, not owned.</summary>
    public RowImages(Tensor?[] data, Tensor?[] grids, bool areEmbeddings)
    {
        _data = data;
        _grids = grids;
        AreEmbeddings = areEmbeddings;
    }

    /// <summary>True: the data are image embeddings; false: pixel patches for the vision tower.</summary>
    public bool AreEmbeddings { get; }

    /// <summary>
    /// Splits <paramref name="data"/> (embeddings [Σ tokens, H] or pixels [Σ patches, D]) and <paramref name="grid"/>
    /// ([n_images, 3], the images of each prompt row in turn) into per-prompt copies.
    /// </summary>
    /// <param name="data">Embeddings or pixel patches of all images.</param>
    /// <param name="grid">image_grid_thw of all images.</param>
    /// <param name="imageCounts">Per prompt row: how many images it has (0: text-only).</param>
    /// <param name="areEmbeddings">Whether <paramref name="data"/> holds embeddings (rows per image = t·h·w / merge²).</param>
    /// <param name="mergeSize">Spatial merge size of the vision tower.</param>
    public static (Tensor?[] Data, Tensor?[] Grids) Split(Tensor data, Tensor grid, IReadOnlyList<int> imageCounts, bool areEmbeddings, int mergeSize)
    {
        var thw = grid.cpu().to(ScalarType.Int64).data<long>().ToArray();
        long divisor = areEmbeddings ? (long)mergeSize * mergeSize : 1;
        var parts = new Tensor?[imageCounts.Count];
        var grids = new Tensor?[imageCounts.Count];
        long offset = 0;
        int image = 0;
        for (int row = 0; row < imageCounts.Count; row++)
        {
            int count = imageCounts[row];
            if (count == 0) continue;
            if ((image + count) * 3 > thw.Length) throw new ArgumentException("fewer image_grid_thw rows than the prompts' images.");
            long rows = 0;
            for (int i = image; i < image + count; i++) rows += thw[i * 3] * thw[i * 3 + 1] * thw[i * 3 + 2] / divisor;
            parts[row] = data.narrow(0, offset, rows).detach().clone();
            grids[row] = grid.narrow(0, image, count).clone();
            offset += rows;
            image += count;
        }
        if (offset != data.shape[0]) throw new ArgumentException($"the images hold {data.shape[0]} rows but the grids describe {offset}.");
        return (parts, grids);
    }

    /// <summary>How many images prompt <paramref name="promptRow"/> has.</summary>
    public int Count(int promptRow) => _grids[promptRow] is { } g ? (int)g.shape[0] : 0;

    /// <summary>The data and grid rows for prompts <paramref name="promptRows"/>, in that order (nulls when none has an image).</summary>
    public (Tensor? Data, Tensor? Grid) Gather(IReadOnlyList<int> promptRows)
    {
        var data = promptRows.Select(r => _data[r]).OfType<Tensor>().ToList();
        if (data.Count == 0) return (null, null);
        var grids = promptRows.Select(r => _grids[r]).OfType<Tensor>().ToList();
        return (torch.cat(data), torch.cat(grids));
    }
}
