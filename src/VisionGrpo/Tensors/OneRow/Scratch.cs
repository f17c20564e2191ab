using System.Runtime.CompilerServices;

namespace VisionGrpo.Tensors.OneRow;

/// <summary>
/// fp32 working memory of the one-row kernels: a region of the calling thread's pinned buffer, handed back at
/// <see cref="Dispose"/> (scopes nest, last in first out), so a decode step allocates nothing managed. A request the
/// buffer cannot hold while an outer scope is open gets its own pinned array.
/// </summary>
internal unsafe ref struct Scratch
{
    [ThreadStatic] static float[]? _buffer;
    [ThreadStatic] static int _used;
    readonly float[] _array;
    readonly float* _base;
    readonly int _mark;
    readonly bool _shared;

    /// <summary>Takes <paramref name="floats"/> floats (contents undefined).</summary>
    public Scratch(int floats)
    {
        // Whole 64-byte lines per region, so regions do not share a cache line.
        floats = (floats + 15) & ~15;
        var buffer = _buffer;
        if (_used == 0 && (buffer is null || buffer.Length < floats))
            _buffer = buffer = GC.AllocateUninitializedArray<float>(Math.Max(floats, 1 << 14), pinned: true);
        if (buffer is not null && _used + floats <= buffer.Length)
        {
            _array = buffer;
            _mark = _used;
            _used += floats;
            _shared = true;
        }
        else
            _array = GC.AllocateUninitializedArray<float>(Math.Max(floats, 16), pinned: true);
        _base = (float*)Unsafe.AsPointer(ref _array[_mark]);
    }

    /// <summary>The float at <paramref name="offset"/> of this region.</summary>
    public readonly float* this[int offset] => _base + offset;

    /// <summary>Hands the region back.</summary>
    public readonly void Dispose()
    {
        if (_shared) _used = _mark;
    }
}
