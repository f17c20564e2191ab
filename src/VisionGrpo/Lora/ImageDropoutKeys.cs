using VisionGrpo.Generation;
using static TorchSharp.torch;

namespace VisionGrpo.Lora;

/// <summary>
/// The images a vision tower pass holds, in the order their rows are concatenated: each image's dropout key and its
/// patch count (t·h·w). A vision-tower LoRA layer sees <c>[rows, in]</c> — every image's rows in turn, t·h·w per
/// image in the blocks, t·h·w / merge² after a patch merger's regrouping, each image's rows kept together (Qwen2.5-VL's
/// window order permutes rows within an image only) — so the rows of image i at a layer are its patches divided by
/// the layer's reduction factor, and row t of that segment gets the same mask whatever other images share the pass.
/// </summary>
/// <param name="Keys">One key per image, naming what it is (see <see cref="ImageKey"/>).</param>
/// <param name="Patches">t·h·w of each image, as <c>image_grid_thw</c> gives it.</param>
public sealed record ImageDropoutKeys(ulong[] Keys, long[] Patches)
{
    /// <summary>Separates image keys from the row and position keys they are derived from.</summary>
    const long ImageSalt = 0x494D4147; // "IMAG"

    /// <summary>The key of image <paramref name="image"/> (0-based) of whatever <paramref name="ownerKey"/> names (a prompt, a completion row).</summary>
    public static ulong ImageKey(ulong ownerKey, int image) => CounterRandom.Combine(CounterRandom.Combine(ownerKey, ImageSalt), image);

    /// <summary>
    /// Keys for the images of consecutive owners (prompt or completion rows): owner r has
    /// <paramref name="imagesPerOwner"/>[r] images, keyed <c>ImageKey(ownerKeys[r], j)</c>; their grid rows are
    /// <paramref name="gridThw"/> <c>[n, 3]</c> in the same order.
    /// </summary>
    /// <exception cref="ArgumentException">The counts do not add up to the grid's rows.</exception>
    public static ImageDropoutKeys PerOwner(IReadOnlyList<ulong> ownerKeys, IReadOnlyList<int> imagesPerOwner, Tensor gridThw)
    {
        if (ownerKeys.Count != imagesPerOwner.Count)
            throw new ArgumentException($"{ownerKeys.Count} owner keys but {imagesPerOwner.Count} image counts.");
        var keys = new List<ulong>();
        for (int r = 0; r < ownerKeys.Count; r++)
            for (int j = 0; j < imagesPerOwner[r]; j++) keys.Add(ImageKey(ownerKeys[r], j));
        var thw = gridThw.to(ScalarType.Int64).cpu().data<long>().ToArray();
        if (thw.Length != keys.Count * 3)
            throw new ArgumentException($"the rows hold {keys.Count} images but image_grid_thw has {thw.Length / 3} rows.");
        return new ImageDropoutKeys([.. keys], thw.Chunk(3).Select(t => t[0] * t[1] * t[2]).ToArray());
    }
}
