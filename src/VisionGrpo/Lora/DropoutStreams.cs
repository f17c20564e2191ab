using TorchSharp;
using VisionGrpo.Generation;
using static TorchSharp.torch;

namespace VisionGrpo.Lora;

/// <summary>
/// Rank-independent LoRA dropout. While a <see cref="DropoutStreams"/> is in use on the current thread, every LoRA
/// layer draws its dropout mask from <see cref="CounterRandom"/> keys instead of torch's global generator: the keep
/// decision for feature j at position t of batch row r in layer ℓ is a pure function of (the row's key, ℓ, t, j).
/// Callers give each row a key naming what it is — (seed, round, global completion index, pass) — and positions count
/// from the row's first real token (left padding excluded), so a completion gets the same masks whatever it is
/// batched with, however wide the padding is and on whichever process it runs. Vision-tower layers, whose input
/// has no row axis (<c>[patches, in]</c>, every image's patches concatenated), key each image instead
/// (<see cref="ImageDropoutKeys"/>): the decision for feature j at row t of image i's segment is a function of (the
/// image's key, ℓ, t, j). Without a scope, layers use torch's dropout as before.
/// </summary>
public sealed class DropoutStreams : IDisposable
{
    [ThreadStatic] static DropoutStreams? t_current;
    static readonly Dictionary<(long, string), Tensor> FeatureKeyCache = new();
    const long Mask31 = 0x7FFFFFFF;

    readonly DropoutStreams? _previous;
    readonly ulong[] _rowKeys;
    readonly long[] _leftPads;
    readonly ImageDropoutKeys? _images;
    bool _disposed;

    DropoutStreams(ulong[] rowKeys, long[] leftPads, ImageDropoutKeys? images)
    {
        if (rowKeys.Length != leftPads.Length) throw new ArgumentException($"{rowKeys.Length} row keys but {leftPads.Length} padding counts.");
        if (images is not null && images.Keys.Length != images.Patches.Length)
            throw new ArgumentException($"{images.Keys.Length} image keys but {images.Patches.Length} patch counts.");
        _rowKeys = rowKeys;
        _leftPads = leftPads;
        _images = images;
        _previous = t_current;
        t_current = this;
    }

    /// <summary>The scope in use on this thread (null: layers use torch's dropout).</summary>
    public static DropoutStreams? Current => t_current;

    /// <summary>
    /// Uses <paramref name="rowKeys"/> for the forward passes until disposed; row r's position 0 is at column
    /// <paramref name="leftPads"/>[r] (null: no left padding); <paramref name="images"/> keys the vision tower's
    /// images, if it runs in the scope.
    /// </summary>
    public static DropoutStreams Use(ulong[] rowKeys, long[]? leftPads = null, ImageDropoutKeys? images = null) =>
        new(rowKeys, leftPads ?? new long[rowKeys.Length], images);

    /// <summary>
    /// Uses <paramref name="rowKeys"/>, taking each row's left padding from a [rows, L] attention mask (leading
    /// zeros); <paramref name="images"/> keys the vision tower's images, if it runs in the scope.
    /// </summary>
    public static DropoutStreams Use(ulong[] rowKeys, Tensor attentionMask, ImageDropoutKeys? images = null)
    {
        using var scope = torch.NewDisposeScope();
        // argmax of a 0/1 row is its first 1; an all-zero row has no real token, its positions never matter.
        var pads = attentionMask.to(ScalarType.Int64).argmax(1).cpu().data<long>().ToArray();
        return new(rowKeys, pads, images);
    }

    /// <summary>
    /// Makes <paramref name="streams"/> (null: none, torch's dropout) the scope in use until disposed, whatever is in
    /// use now: a recompute after the forward's scope ended (activation checkpointing's backward, possibly on
    /// another thread) draws the masks the forward drew.
    /// </summary>
    public static IDisposable Resume(DropoutStreams? streams) => new Resumed(streams);

    sealed class Resumed : IDisposable
    {
        readonly DropoutStreams? _previous = t_current;
        public Resumed(DropoutStreams? streams) => t_current = streams;
        public void Dispose() => t_current = _previous;
    }

    /// <summary>Uses <paramref name="images"/> for a vision-tower pass (no text rows) until disposed.</summary>
    public static DropoutStreams ForImages(ImageDropoutKeys images) => new([], [], images);

    /// <summary>
    /// Inverted dropout of <paramref name="x"/> with probability <paramref name="p"/>, masks keyed by
    /// <paramref name="layerKey"/> and: for [rows, L, in], this scope's rows and positions; for [Σ rows, in] (a
    /// vision-tower layer), this scope's images and each row's position within its image's segment.
    /// </summary>
    /// <exception cref="InvalidOperationException">The input does not match the scope's rows or images.</exception>
    public Tensor Apply(Tensor x, double p, ulong layerKey)
    {
        var (positionKeys, shape) = x.dim() switch
        {
            3 => (RowPositionKeys(x.shape[0], x.shape[1], layerKey), new[] { x.shape[0], x.shape[1], 1 }),
            2 => (ImagePositionKeys(x.shape[0], layerKey), new[] { x.shape[0], 1L }),
            _ => throw new InvalidOperationException($"LoRA dropout streams take [rows, L, in] or [patches, in] inputs, got [{string.Join(", ", x.shape)}]."),
        };
        long features = x.shape[^1];
        using var scope = torch.NewDisposeScope();
        // Mix (row, layer, position) with the feature index inside 31 bits, so every product stays below 2^63.
        var h = torch.tensor(positionKeys, shape, ScalarType.Int64, x.device).bitwise_xor(FeatureKeys(features, x.device));
        for (int round = 0; round < 3; round++) h = Mix31(h);
        var keep = h.ge((long)Math.Ceiling(p * (Mask31 + 1)));
        var mask = keep.to(x.dtype).div_(1 - p);
        return (x * mask).MoveToOuterDisposeScope();
    }

    long[] RowPositionKeys(long rows, long length, ulong layerKey)
    {
        if (rows != _rowKeys.Length)
            throw new InvalidOperationException($"the dropout scope has {_rowKeys.Length} row keys but the layer input has {rows} rows.");
        var keys = new long[rows * length];
        for (int r = 0; r < rows; r++)
        {
            ulong rowLayer = CounterRandom.Combine(_rowKeys[r], unchecked((long)layerKey));
            for (int t = 0; t < length; t++)
                keys[r * length + t] = (long)(CounterRandom.Combine(rowLayer, t - _leftPads[r]) & Mask31);
        }
        return keys;
    }

    /// <summary>
    /// Keys of a vision-tower input's rows: image i holds Patches[i] / f consecutive rows, f the layer's reduction
    /// (1 in the blocks, merge² after a merger's regrouping), the same for every image.
    /// </summary>
    long[] ImagePositionKeys(long rows, ulong layerKey)
    {
        if (_images is null)
            throw new InvalidOperationException("a vision-tower LoRA layer ran inside a dropout scope that names no images: pass the images' keys (ImageDropoutKeys) to DropoutStreams.Use or ForImages.");
        long patches = _images.Patches.Sum();
        if (rows == 0 || patches == 0 || patches % rows != 0 || _images.Patches.Any(n => n % (patches / rows) != 0))
            throw new InvalidOperationException($"a vision-tower layer input has {rows} rows, which does not divide the scope's {_images.Patches.Length} images ({string.Join(" + ", _images.Patches)} patches) evenly.");
        long factor = patches / rows;
        var keys = new long[rows];
        long offset = 0;
        for (int i = 0; i < _images.Keys.Length; i++)
        {
            ulong imageLayer = CounterRandom.Combine(_images.Keys[i], unchecked((long)layerKey));
            for (long t = 0; t < _images.Patches[i] / factor; t++)
                keys[offset++] = (long)(CounterRandom.Combine(imageLayer, t) & Mask31);
        }
        return keys;
    }

    /// <summary>One round of a 31-bit integer hash (xor-shift-multiply), elementwise.</summary>
    static Tensor Mix31(Tensor h) => h.bitwise_xor(h.bitwise_right_shift(torch.tensor(16L, device: h.device))).mul(0x45d9f3bL).bitwise_and(Mask31);

    static Tensor FeatureKeys(long features, Device device)
    {
        lock (FeatureKeyCache)
        {
            if (!FeatureKeyCache.TryGetValue((features, device.ToString()), out var keys))
            {
                var values = new long[features];
                for (long j = 0; j < features; j++) values[j] = (long)(CounterRandom.Scramble((ulong)j + 0xD1B54A32D192ED03UL) & Mask31);
                keys = torch.tensor(values, [features], ScalarType.Int64, device).DetachFromDisposeScope();
                FeatureKeyCache[(features, device.ToString())] = keys;
            }
            return keys;
        }
    }

    /// <summary>A stable 64-bit key for a layer name (FNV-1a), the same in every process.</summary>
    public static ulong LayerKey(string name)
    {
        ulong h = 0xCBF29CE484222325UL;
        foreach (char c in name) h = (h ^ c) * 0x100000001B3UL;
        return CounterRandom.Scramble(h);
    }

    /// <summary>Restores the scope that was in use before this one.</summary>
    public void Dispose()
    {
        if (_disposed) return;
        _disposed = true;
        t_current = _previous;
    }
}
