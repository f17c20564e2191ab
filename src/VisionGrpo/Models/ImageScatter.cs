using TorchSharp;
using static TorchSharp.torch;

namespace VisionGrpo.Models;

/// <summary>HF's <c>masked_scatter</c> of image features into the token embeddings.</summary>
internal static class ImageScatter
{
    /// <summary>
    /// Overwrites the <paramref name="imageTokenId"/> rows of <paramref name="embeds"/> <c>[B, L, H]</c>, in row-major
    /// order, with consecutive rows of <paramref name="imageEmbeds"/> <c>[N, H]</c>.
    /// </summary>
    /// <exception cref="ArgumentException">The number of image tokens differs from the number of feature rows.</exception>
    public static Tensor Apply(Tensor ids, Tensor embeds, Tensor imageEmbeds, int imageTokenId)
    {
        var flatMask = ids.reshape(-1).eq(imageTokenId);
        long count = flatMask.sum().item<long>();
        if (count != imageEmbeds.shape[0])
            throw new ArgumentException($"Image features and image tokens do not match: input_ids hold {count} <|image_pad|> ({imageTokenId}) tokens, the vision tower produced {imageEmbeds.shape[0]} rows.");
        long b = embeds.shape[0], l = embeds.shape[1], h = embeds.shape[2];
        var index = flatMask.nonzero().squeeze(1);
        return embeds.reshape(b * l, h).index_copy(0, index, imageEmbeds.to(embeds.dtype)).reshape(b, l, h);
    }
}
