using TorchSharp;
using VisionGrpo.Models.Qwen2;
using VisionGrpo.Tensors;
using VisionGrpo.Tensors.OneRow;
using static TorchSharp.torch;

namespace VisionGrpo.Models;

/// <summary>
/// Preallocated key/value cache for incremental decoding: per layer <c>[B, kv_heads, capacity, head_dim]</c> for K
/// (post-RoPE) and V, plus a <c>[B, capacity]</c> key-validity mask so left-padded rows and rows of different
/// lengths share one write cursor. Also holds the request's M-RoPE <see cref="RopeDeltas"/> (per-request state).
/// Owns its tensors: dispose it when the request is done.
/// </summary>
public sealed class KvCache : IDisposable
{
    readonly Tensor[] _keys;
    readonly Tensor[] _values;
    readonly Tensor _mask;

    /// <summary>Slots filled so far (prompt padding included); the next token is written at this index.</summary>
    public int Length { get; private set; }
    /// <summary>Maximum number of slots.</summary>
    public int Capacity { get; }
    /// <summary>Rows in the batch.</summary>
    public int BatchSize { get; }
    /// <summary><c>[B, 1]</c> int64: decode position = slot index + delta (set by the prefill of the VL model).</summary>
    public Tensor? RopeDeltas { get; internal set; }

    /// <summary>Allocates zeroed buffers for <paramref name="layers"/> layers.</summary>
    public KvCache(int layers, int batchSize, int kvHeads, int headDim, int capacity, ScalarType dtype, Device? device = null)
    {
        if (layers <= 0 || batchSize <= 0 || capacity <= 0)
            throw new ArgumentOutOfRangeException(nameof(capacity), "layers, batch size and capacity must be positive.");
        Capacity = capacity;
        BatchSize = batchSize;
        _keys = new Tensor[layers];
        _values = new Tensor[layers];
        for (int i = 0; i < layers; i++)
        {
            _keys[i] = torch.zeros([batchSize, kvHeads, capacity, headDim], dtype: dtype, device: device).DetachFromDisposeScope();
            _values[i] = torch.zeros([batchSize, kvHeads, capacity, headDim], dtype: dtype, device: device).DetachFromDisposeScope();
        }
        _mask = torch.zeros([batchSize, capacity], dtype: ScalarType.Bool, device: device).DetachFromDisposeScope();
    }

    /// <summary>A cache shaped for <paramref name="config"/>.</summary>
    public static KvCache For(Qwen2TextConfig config, int batchSize, int capacity, ScalarType dtype, Device? device = null) =>
        new(config.NumHiddenLayers, batchSize, config.NumKeyValueHeads, config.HeadDim, capacity, dtype, device);

    /// <summary>Number of real (unmasked) slots per row, <c>[B]</c> int64.</summary>
    public Tensor RowLengths() => _mask.narrow(1, 0, Length).sum(1, type: ScalarType.Int64);

    /// <summary>
    /// Records the validity of <paramref name="count"/> new slots (null = all valid) and returns the mask of every
    /// slot up to and including them, <c>[B, Length + count]</c> bool (a view).
    /// </summary>
    internal Tensor BeginStep(Tensor? newMask, int count)
    {
        if (Length + count > Capacity)
            throw new InvalidOperationException($"KV cache overflow: {Length} + {count} slots exceed capacity {Capacity}.");
        using (torch.no_grad())
        {
            var slot = _mask.narrow(1, Length, count);
            if (newMask is null) slot.fill_(true);
            else slot.copy_(newMask.to(ScalarType.Bool));
        }
        return _mask.narrow(1, 0, Length + count);
    }

    /// <summary>Writes this step's keys/values of one layer and returns all cached ones (views).</summary>
    internal (Tensor Keys, Tensor Values) Update(int layer, Tensor keys, Tensor values)
    {
        long count = keys.shape[2];
        using (torch.no_grad())
        {
            _keys[layer].narrow(2, Length, count).copy_(keys);
            _values[layer].narrow(2, Length, count).copy_(values);
        }
        return (_keys[layer].narrow(2, 0, Length + count), _values[layer].narrow(2, 0, Length + count));
    }

    /// <summary>
    /// Layer <paramref name="layer"/>'s buffers as raw memory for batch-1 decode, whose attention kernel writes this
    /// step's slot itself (<see cref="DecodeAttention"/>); null when they are not one CPU row of
    /// <paramref name="dtype"/> shaped for <paramref name="layout"/> (the caller then takes <see cref="Update"/>).
    /// </summary>
    internal unsafe CacheLayer? OneRowLayer(int layer, ScalarType dtype, HeadLayout layout)
    {
        Tensor keys = _keys[layer], values = _values[layer];
        if (BatchSize != 1 || Length >= Capacity || keys.dtype != dtype || keys.device_type != DeviceType.CPU
            || keys.size(1) != layout.KvHeads || keys.size(3) != layout.HeadDim
            || !keys.is_contiguous() || !values.is_contiguous() || keys.numel() * keys.element_size() > int.MaxValue)
            return null;
        return new CacheLayer((nint)TensorMemory.Pointer(keys), (nint)TensorMemory.Pointer(values), Capacity, Length);
    }

    /// <summary>Advances the write cursor after all layers processed <paramref name="count"/> tokens.</summary>
    internal void EndStep(int count) => Length += count;

    /// <summary>
    /// A new cache holding rows <paramref name="rows"/> (<c>[B']</c> int64, repeats allowed) of this one, with the same
    /// cursor and rope deltas: replicates a shared prompt prefill for several samples and drops finished rows.
    /// </summary>
    public KvCache SelectRows(Tensor rows)
    {
        using var scope = torch.NewDisposeScope();
        using var noGrad = torch.no_grad();
        var index = rows.to(ScalarType.Int64).to(_mask.device);
        var keys = _keys.Select(k => k.index_select(0, index).DetachFromDisposeScope()).ToArray();
        var values = _values.Select(v => v.index_select(0, index).DetachFromDisposeScope()).ToArray();
        var mask = _mask.index_select(0, index).DetachFromDisposeScope();
        var deltas = RopeDeltas?.index_select(0, index.to(RopeDeltas.device)).DetachFromDisposeScope();
        return new KvCache(keys, values, mask, Length, Capacity) { RopeDeltas = deltas };
    }

    KvCache(Tensor[] keys, Tensor[] values, Tensor mask, int length, int capacity)
    {
        _keys = keys;
        _values = values;
        _mask = mask;
        Length = length;
        Capacity = capacity;
        BatchSize = (int)mask.shape[0];
    }

    /// <summary>Releases the buffers.</summary>
    public void Dispose()
    {
        foreach (var t in _keys) t.Dispose();
        foreach (var t in _values) t.Dispose();
        _mask.Dispose();
        RopeDeltas?.Dispose();
    }
}
