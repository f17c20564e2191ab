using System.IO.MemoryMappedFiles;
using TorchSharp;
using static TorchSharp.torch;

namespace VisionGrpo.Tensors;

/// <summary>
/// A memory-mapped safetensors file. <see cref="Open"/> validates the whole header (see
/// <see cref="SafetensorsFormatException"/>); <see cref="Load"/> and <see cref="CopyInto"/> copy tensor bytes
/// straight from the mapping into native tensor memory, never through a managed array.
/// </summary>
public sealed unsafe class SafetensorsFile : IDisposable
{
    readonly MemoryMappedFile _map;
    readonly MemoryMappedViewAccessor _view;
    readonly SafetensorsHeader _header;
    readonly string[] _names;
    byte* _base;

    SafetensorsFile(string path, MemoryMappedFile map, MemoryMappedViewAccessor view, byte* basePointer, SafetensorsHeader header)
    {
        Path = path;
        _map = map;
        _view = view;
        _base = basePointer;
        _header = header;
        _names = header.Entries.Select(e => e.Name).ToArray();
    }

    /// <summary>Maps <paramref name="path"/> read-only and validates its header.</summary>
    /// <exception cref="FileNotFoundException">The file does not exist.</exception>
    /// <exception cref="SafetensorsFormatException">The file is not a valid safetensors file.</exception>
    public static SafetensorsFile Open(string path)
    {
        ArgumentException.ThrowIfNullOrEmpty(path);
        string full = System.IO.Path.GetFullPath(path);
        if (!File.Exists(full)) throw new FileNotFoundException($"{full}: safetensors file not found.", full);
        // The length comes from the opened file, not from FileInfo: in a Hugging Face cache snapshot the path is a
        // symlink into ../../blobs/, and FileInfo.Length would be the length of the link itself.
        var stream = new FileStream(full, FileMode.Open, FileAccess.Read, FileShare.Read);
        long length = stream.Length;
        // Mapping a 0-byte file throws; reject short files before mapping.
        if (length < SafetensorsHeader.PrefixBytes)
        {
            stream.Dispose();
            throw new SafetensorsFormatException(full, $"the file has {length} bytes, fewer than the 8-byte header length.");
        }

        MemoryMappedFile map;
        try { map = MemoryMappedFile.CreateFromFile(stream, null, 0, MemoryMappedFileAccess.Read, HandleInheritability.None, leaveOpen: false); }
        catch
        {
            stream.Dispose();
            throw;
        }
        MemoryMappedViewAccessor? view = null;
        bool acquired = false;
        try
        {
            view = map.CreateViewAccessor(0, 0, MemoryMappedFileAccess.Read);
            byte* pointer = null;
            view.SafeMemoryMappedViewHandle.AcquirePointer(ref pointer);
            acquired = true;
            pointer += view.PointerOffset;
            long headerLength = SafetensorsHeader.ReadHeaderLength(new ReadOnlySpan<byte>(pointer, 8), length, full);
            // The header (≤ 100 MB, checked above) is the only part copied to managed memory.
            byte[] json = new ReadOnlySpan<byte>(pointer + SafetensorsHeader.PrefixBytes, (int)headerLength).ToArray();
            var header = SafetensorsHeader.Parse(json, length, full);
            return new SafetensorsFile(full, map, view, pointer, header);
        }
        catch
        {
            if (acquired) view!.SafeMemoryMappedViewHandle.ReleasePointer();
            view?.Dispose();
            map.Dispose();
            throw;
        }
    }

    /// <summary>Absolute path of the file.</summary>
    public string Path { get; }

    /// <summary>The header's <c>__metadata__</c> string map (empty when absent).</summary>
    public IReadOnlyDictionary<string, string> Metadata => _header.Metadata;

    /// <summary>Tensor names in data order (the order of their bytes in the file).</summary>
    public IReadOnlyList<string> Names => _names;

    /// <summary>True when the file holds a tensor called <paramref name="name"/>.</summary>
    public bool Contains(string name) => _header.ByName.ContainsKey(name);

    /// <summary>Dtype, shape and byte range of <paramref name="name"/>.</summary>
    /// <exception cref="KeyNotFoundException">No such tensor in this file.</exception>
    public TensorEntry Info(string name) =>
        _header.ByName.TryGetValue(name, out var entry)
            ? entry
            : throw new KeyNotFoundException($"{Path}: no tensor named '{name}' (the file has {_names.Length}).");

    /// <summary>
    /// Creates a new tensor holding <paramref name="name"/>, converted to <paramref name="dtype"/> (default: the
    /// file's dtype) on <paramref name="device"/> (default: CPU).
    /// </summary>
    /// <exception cref="NotSupportedException">The stored dtype has no TorchSharp type (U16/U32/U64, F8, F6, F4).</exception>
    public Tensor Load(string name, ScalarType? dtype = null, Device? device = null)
    {
        TensorEntry entry = Info(name);
        ScalarType stored = entry.DType.ToScalarType($"{Path}: tensor '{name}'");
        var tensor = torch.empty(entry.ShapeArray(), dtype ?? stored, device ?? torch.CPU);
        try
        {
            CopyEntry(entry, stored, tensor);
            return tensor;
        }
        catch
        {
            tensor.Dispose();
            throw;
        }
    }

    /// <summary>
    /// Copies <paramref name="name"/> into an existing tensor of the same shape (any dtype and device; values are
    /// converted as <c>Tensor.copy_</c> does). Meant for filling model parameters without a second full copy.
    /// </summary>
    /// <exception cref="ArgumentException">The shapes differ.</exception>
    public void CopyInto(string name, Tensor destination)
    {
        ArgumentNullException.ThrowIfNull(destination);
        TensorEntry entry = Info(name);
        ScalarType stored = entry.DType.ToScalarType($"{Path}: tensor '{name}'");
        if (!entry.Shape.SequenceEqual(destination.shape))
            throw new ArgumentException(
                $"{Path}: tensor '{name}' has shape [{string.Join(", ", entry.Shape)}] but the destination has " +
                $"[{string.Join(", ", destination.shape)}].", nameof(destination));
        CopyEntry(entry, stored, destination);
    }

    void CopyEntry(TensorEntry entry, ScalarType stored, Tensor destination)
    {
        ObjectDisposedException.ThrowIf(_base == null, this);
        byte* source = _base + _header.DataStart + entry.Begin;
        // The mapping is read-only and file-backed, so copied pages can leave the resident set (bf16 peak ≈ 1× file).
        TensorByteCopier.CopyFromNative(source, entry.ByteLength, stored, destination, releaseMappedSource: true);
    }

    /// <summary>Unmaps the file. Tensors already loaded stay valid (they own their memory).</summary>
    public void Dispose()
    {
        if (_base == null) return;
        _base = null;
        _view.SafeMemoryMappedViewHandle.ReleasePointer();
        _view.Dispose();
        _map.Dispose();
    }
}
