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
/// batched with, however wide the padding is and on whichever process it runs. Without a scope, layers use
/// torch's dropout as before.
/// </summary>
public sealed class DropoutStreams : IDisposable
{
    [ThreadStatic] static DropoutStreams? t_current;
    static readonly Dictionary<(long, string), Tensor> FeatureKeyCache = new();
    const long Mask31 = 0x7FFFFFFF;

    readonly DropoutStreams? _previous;
    readonly ulong[] _rowKeys;
    readonly long[] _leftPads;
    bool _disposed;

    DropoutStreams(ulong[] rowKeys, long[] leftPads)
    {
        if (rowKeys.Length != leftPads.Length) throw new ArgumentException($"{rowKeys.Length} row keys but {leftPads.Length} padding counts.");
        _rowKeys = rowKeys;
        _leftPads = leftPads;
        _previous = t_current;
        t_current = this;
    }

    /// <summary>The scope in use on this thread (null: layers use torch's dropout).</summary>
    public static DropoutStreams? Current => t_current;

    /// <summary>
    /// Uses <paramref name="rowKeys"/> for the forward passes until disposed; row r's position 0 is at column
    /// <paramref name="leftPads"/>[r] (null: no left padding).
    /// </summary>
    public static DropoutStreams Use(ulong[] rowKeys, long[]? leftPads = null) => new(rowKeys, leftPads ?? new long[rowKeys.Length]);

    /// <summary>Uses <paramref name="rowKeys"/>, taking each row's left padding from a [rows, L] attention mask (leading zeros).</summary>
    public static DropoutStreams Use(ulong[] rowKeys, Tensor attentionMask)
    {
        using var scope = torch.NewDisposeScope();
        // argmax of a 0/1 row is its first 1; an all-zero row has no real token, its positions never matter.
        var pads = attentionMask.to(ScalarType.Int64).argmax(1).cpu().data<long>().ToArray();
        return new(rowKeys, pads);
    }

    /// <summary>
    /// Inverted dropout of <paramref name="x"/> [rows, L, in] with probability <paramref name="p"/>, masks keyed by
    /// this scope's rows and <paramref name="layerKey"/>. Inputs without a row axis ([patches, in]: the vision
    /// tower, whose patches of all images are concatenated) use torch's dropout.
    /// </summary>
    public Tensor Apply(Tensor x, double p, ulong layerKey)
    {
        if (x.dim() != 3) return nn.functional.dropout(x, p, training: true);
        long rows = x.shape[0], length = x.shape[1], features = x.shape[2];
        if (rows != _rowKeys.Length)
            throw new InvalidOperationException($"the dropout scope has {_rowKeys.Length} row keys but the layer input has {rows} rows.");
        var positionKeys = new long[rows * length];
        for (int r = 0; r < rows; r++)
        {
            ulong rowLayer = CounterRandom.Combine(_rowKeys[r], unchecked((long)layerKey));
            for (int t = 0; t < length; t++)
                positionKeys[r * length + t] = (long)(CounterRandom.Combine(rowLayer, t - _leftPads[r]) & Mask31);
        }
        using var scope = torch.NewDisposeScope();
        // Mix (row, layer, position) with the feature index inside 31 bits, so every product stays below 2^63.
        var h = torch.tensor(positionKeys, [rows, length, 1], ScalarType.Int64, x.device).bitwise_xor(FeatureKeys(features, x.device));
        for (int round = 0; round < 3; round++) h = Mix31(h);
        var keep = h.ge((long)Math.Ceiling(p * (Mask31 + 1)));
        var mask = keep.to(x.dtype).div_(1 - p);
        return (x * mask).MoveToOuterDisposeScope();
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
                keys = torch.tensor(values, [1, 1, features], ScalarType.Int64, device).DetachFromDisposeScope();
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
