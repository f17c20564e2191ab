namespace VisionGrpo.Tensors;

/// <summary>
/// One tensor of a safetensors header: its dtype, shape and byte range. <see cref="Begin"/> and <see cref="End"/>
/// are relative to the data buffer (which starts after the 8-byte length and the header), as in the file.
/// </summary>
public sealed class TensorEntry
{
    readonly long[] _shape;

    /// <summary>Creates an entry; the shape is copied.</summary>
    public TensorEntry(string name, SafetensorsDType dtype, IReadOnlyList<long> shape, long begin, long end)
    {
        Name = name;
        DType = dtype;
        _shape = shape.ToArray();
        Begin = begin;
        End = end;
    }

    /// <summary>Tensor name (the header key).</summary>
    public string Name { get; }

    /// <summary>Element type stored in the file.</summary>
    public SafetensorsDType DType { get; }

    /// <summary>Shape (row-major, C order); empty for a scalar.</summary>
    public IReadOnlyList<long> Shape => _shape;

    /// <summary>The shape as an array, for TorchSharp factory calls.</summary>
    public long[] ShapeArray() => (long[])_shape.Clone();

    /// <summary>First byte of the tensor in the data buffer.</summary>
    public long Begin { get; }

    /// <summary>One past the last byte of the tensor in the data buffer.</summary>
    public long End { get; }

    /// <summary>Size of the tensor's data in bytes.</summary>
    public long ByteLength => End - Begin;

    /// <summary>Number of elements (product of the shape; 1 for a scalar).</summary>
    public long NumberOfElements
    {
        get
        {
            long n = 1;
            foreach (long d in _shape) n *= d;
            return n;
        }
    }

    /// <inheritdoc />
    public override string ToString() =>
        $"{Name}: {DType} [{string.Join(", ", _shape)}] bytes {Begin}..{End}";
}
