using TorchSharp;
using VisionGrpo.Lora;
using VisionGrpo.Models;
using static TorchSharp.torch;

namespace VisionGrpo.Generation;

/// <summary>
/// The vision-tower output of a whole request, computed once, with the bookkeeping to hand each slice of prompt
/// rows its own image embeddings and <c>image_grid_thw</c> rows (images are in row order, as the processor emits them).
/// </summary>
internal sealed class PromptImages
{
    readonly Tensor _embeds;
    readonly Tensor _grid;
    readonly long[] _tokenStart;  // per row + 1: first embedding row of each prompt row
    readonly int[] _imageStart;   // per row + 1: first grid row of each prompt row

    PromptImages(Tensor embeds, Tensor grid, long[] tokenStart, int[] imageStart)
    {
        _embeds = embeds;
        _grid = grid;
        _tokenStart = tokenStart;
        _imageStart = imageStart;
    }

    /// <summary>
    /// Runs the vision tower (unless embeddings were given); null when the prompts have no images. With the model in
    /// training mode (LoRA dropout in the vision tower), image j of prompt row r draws its masks from the key
    /// <c>ImageKey(rowKey(r), j)</c>, so a prompt's image embeddings do not depend on the other prompts of the request.
    /// </summary>
    public static PromptImages? Prepare(QwenVLForConditionalGeneration model, QwenVLInputs prompts, Func<int, ulong> rowKey)
    {
        if (prompts.ImageGridThw is null || (prompts.PixelValues is null && prompts.ImageEmbeds is null)) return null;
        var grid = prompts.ImageGridThw.to(ScalarType.Int64).cpu();
        long merge = (long)(model.Config.Vision?.SpatialMergeSize ?? 2) * (model.Config.Vision?.SpatialMergeSize ?? 2);
        var perImage = grid.data<long>().ToArray().Chunk(3).Select(t => t[0] * t[1] * t[2] / merge).ToArray();
        var perRow = (prompts.InputIds == model.Config.ImageTokenId).sum(1).cpu().data<long>().ToArray();
        var tokenStart = new long[perRow.Length + 1];
        var imageStart = new int[perRow.Length + 1];
        int image = 0;
        for (int row = 0; row < perRow.Length; row++)
        {
            long need = perRow[row];
            while (need > 0 && image < perImage.Length) need -= perImage[image++];
            if (need != 0)
                throw new ArgumentException($"prompt row {row}: its {perRow[row]} <|image_pad|> tokens do not match the image_grid_thw rows in order.");
            tokenStart[row + 1] = tokenStart[row] + perRow[row];
            imageStart[row + 1] = image;
        }
        if (image != perImage.Length)
            throw new ArgumentException($"the prompts hold {tokenStart[^1]} image tokens but image_grid_thw describes {perImage.Sum()} ({perImage.Length} images).");
        var embeds = prompts.ImageEmbeds;
        if (embeds is null)
        {
            var keys = ImageDropoutKeys.PerOwner(Enumerable.Range(0, perRow.Length).Select(rowKey).ToArray(),
                Enumerable.Range(0, perRow.Length).Select(r => imageStart[r + 1] - imageStart[r]).ToArray(), grid);
            using (DropoutStreams.ForImages(keys)) embeds = model.GetImageFeatures(prompts.PixelValues!, prompts.ImageGridThw);
        }
        if (tokenStart[^1] != embeds.shape[0])
            throw new ArgumentException($"the prompts hold {tokenStart[^1]} image tokens but the image embeddings have {embeds.shape[0]} rows.");
        return new PromptImages(embeds, grid.to(prompts.InputIds.device), tokenStart, imageStart);
    }

    /// <summary>Embeddings and grid rows of prompt rows <c>[start, start + count)</c> (nulls when they have no image).</summary>
    public (Tensor? Embeds, Tensor? Grid) Rows(int start, int count)
    {
        long t0 = _tokenStart[start], t1 = _tokenStart[start + count];
        int i0 = _imageStart[start], i1 = _imageStart[start + count];
        return i1 == i0 ? (null, null) : (_embeds.narrow(0, t0, t1 - t0), _grid.narrow(0, i0, i1 - i0));
    }
}
