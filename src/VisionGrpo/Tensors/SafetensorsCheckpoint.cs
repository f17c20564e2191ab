using static TorchSharp.torch;

namespace VisionGrpo.Tensors;

/// <summary>
/// The weights of a Hugging Face checkpoint: a single <c>model.safetensors</c>, or shards listed by
/// <c>model.safetensors.index.json</c> (<c>weight_map</c>: tensor name → shard file), seen as one set of tensors.
/// All shards are opened and cross-checked against the index up front, so a missing shard or a key the index
/// promises but the shard lacks fails at <see cref="Open"/>.
/// </summary>
public sealed class SafetensorsCheckpoint : IDisposable
{
    readonly SafetensorsFile[] _files;
    readonly Dictionary<string, SafetensorsFile> _owner;
    readonly string[] _names;

    SafetensorsCheckpoint(string path, SafetensorsFile[] files, Dictionary<string, SafetensorsFile> owner, string[] names)
    {
        Path = path;
        _files = files;
        _owner = owner;
        _names = names;
    }

    /// <summary>
    /// Opens <paramref name="path"/>: a <c>.safetensors</c> file, an index <c>.json</c> file, or a directory holding
    /// <c>{baseName}.safetensors</c> or <c>{baseName}.safetensors.index.json</c> (the single file wins when both
    /// exist, as in transformers).
    /// </summary>
    /// <exception cref="FileNotFoundException">No weights at <paramref name="path"/>, or a shard the index names is missing.</exception>
    /// <exception cref="SafetensorsFormatException">A file or the index is malformed, or the index and a shard disagree.</exception>
    public static SafetensorsCheckpoint Open(string path, string baseName = "model")
    {
        ArgumentException.ThrowIfNullOrEmpty(path);
        string full = System.IO.Path.GetFullPath(path);
        if (Directory.Exists(full))
        {
            string single = System.IO.Path.Combine(full, baseName + ".safetensors");
            string index = System.IO.Path.Combine(full, baseName + ".safetensors.index.json");
            if (File.Exists(single)) return OpenSingle(single);
            if (File.Exists(index)) return OpenIndex(index);
            throw new FileNotFoundException(
                $"{full}: neither {baseName}.safetensors nor {baseName}.safetensors.index.json found.", single);
        }
        if (!File.Exists(full)) throw new FileNotFoundException($"{full}: checkpoint not found.", full);
        return full.EndsWith(".json", StringComparison.OrdinalIgnoreCase) ? OpenIndex(full) : OpenSingle(full);
    }

    static SafetensorsCheckpoint OpenSingle(string file)
    {
        var st = SafetensorsFile.Open(file);
        var owner = st.Names.ToDictionary(n => n, _ => st, StringComparer.Ordinal);
        return new SafetensorsCheckpoint(file, [st], owner, st.Names.ToArray());
    }

    static SafetensorsCheckpoint OpenIndex(string indexPath)
    {
        var weightMap = SafetensorsIndex.ReadWeightMap(indexPath);
        string directory = System.IO.Path.GetDirectoryName(indexPath)!;
        var opened = new Dictionary<string, SafetensorsFile>(StringComparer.Ordinal);
        try
        {
            var owner = new Dictionary<string, SafetensorsFile>(StringComparer.Ordinal);
            foreach (var (name, shard) in weightMap)
            {
                if (!opened.TryGetValue(shard, out var file))
                {
                    string shardPath = System.IO.Path.Combine(directory, shard);
                    if (!File.Exists(shardPath))
                        throw new FileNotFoundException(
                            $"{indexPath}: shard '{shard}' (holding '{name}') is missing from {directory}.", shardPath);
                    file = SafetensorsFile.Open(shardPath);
                    opened.Add(shard, file);
                }
                if (!file.Contains(name))
                    throw new SafetensorsFormatException(indexPath,
                        $"the index puts tensor '{name}' in '{shard}', but that shard has no such tensor.");
                owner.Add(name, file);
            }
            return new SafetensorsCheckpoint(indexPath, opened.Values.ToArray(), owner, weightMap.Select(p => p.Key).ToArray());
        }
        catch
        {
            foreach (var file in opened.Values) file.Dispose();
            throw;
        }
    }

    /// <summary>The file or index this checkpoint was opened from.</summary>
    public string Path { get; }

    /// <summary>The safetensors files behind this checkpoint (one, or every shard).</summary>
    public IReadOnlyList<SafetensorsFile> Files => _files;

    /// <summary><c>__metadata__</c> of the (first) file; transformers writes <c>{"format": "pt"}</c> into every shard.</summary>
    public IReadOnlyDictionary<string, string> Metadata => _files.Length > 0 ? _files[0].Metadata : new Dictionary<string, string>();

    /// <summary>All tensor names: data order for a single file, index order for shards.</summary>
    public IReadOnlyList<string> Names => _names;

    /// <summary>True when the checkpoint holds <paramref name="name"/>.</summary>
    public bool Contains(string name) => _owner.ContainsKey(name);

    /// <summary>Dtype, shape and byte range (within its shard) of <paramref name="name"/>.</summary>
    public TensorEntry Info(string name) => FileOf(name).Info(name);

    /// <summary>The shard holding <paramref name="name"/>.</summary>
    /// <exception cref="KeyNotFoundException">No such tensor.</exception>
    public SafetensorsFile FileOf(string name) =>
        _owner.TryGetValue(name, out var file)
            ? file
            : throw new KeyNotFoundException($"{Path}: no tensor named '{name}' (the checkpoint has {_names.Length}).");

    /// <summary>Loads a tensor; see <see cref="SafetensorsFile.Load"/>.</summary>
    public Tensor Load(string name, ScalarType? dtype = null, Device? device = null) => FileOf(name).Load(name, dtype, device);

    /// <summary>Copies a tensor into an existing one of the same shape; see <see cref="SafetensorsFile.CopyInto"/>.</summary>
    public void CopyInto(string name, Tensor destination) => FileOf(name).CopyInto(name, destination);

    /// <summary>Unmaps every file.</summary>
    public void Dispose()
    {
        foreach (var file in _files) file.Dispose();
    }
}
