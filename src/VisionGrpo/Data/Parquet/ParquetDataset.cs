namespace VisionGrpo.Data.Parquet;

/// <summary>
/// A split stored as one or more parquet shards (<c>data/train-00000-of-0000N.parquet</c>), rows in shard order.
/// Row groups are decoded lazily and kept in an LRU cache with a memory budget, so multi-GB datasets stay within bounded memory.
/// </summary>
public sealed class ParquetDataset : Dataset
{
    readonly ParquetShard[] _shards;
    readonly long[] _shardStarts;
    readonly string _baseDir;
    readonly IReadOnlyList<string> _columnNames;
    readonly RowGroupCache _cache;

    ParquetDataset(string name, string baseDir, ParquetShard[] shards, long cacheBytes)
    {
        Name = name;
        _baseDir = baseDir;
        _shards = shards;
        _shardStarts = new long[shards.Length + 1];
        for (int i = 0; i < shards.Length; i++) _shardStarts[i + 1] = _shardStarts[i] + shards[i].RowCount;
        if (_shardStarts[^1] > int.MaxValue) throw new NotSupportedException($"dataset '{name}' has {_shardStarts[^1]} rows; at most {int.MaxValue} are supported");
        Features = shards.Length == 0 ? [] : shards[0].Columns.Select(c => new KeyValuePair<string, Feature>(c.Name, c.Feature)).ToList();
        _columnNames = Features.Select(f => f.Key).ToList();
        _cache = new RowGroupCache(cacheBytes);
    }

    /// <summary>Opens the shards (footers only) in the given order.</summary>
    /// <param name="name">Dataset name for messages.</param>
    /// <param name="baseDir">Dataset folder: shard names in messages and image paths are relative to it.</param>
    /// <param name="shardFiles">Parquet files, in row order.</param>
    /// <param name="cacheBytes">Memory budget for decoded row groups (default 256 MiB; a single group is always kept).</param>
    /// <exception cref="InvalidDataException">A shard cannot be read, or shards have different columns.</exception>
    public static ParquetDataset Open(string name, string baseDir, IReadOnlyList<string> shardFiles, long cacheBytes = 256L << 20)
    {
        var shards = shardFiles.Select(f => ParquetShard.Open(f, Path.GetRelativePath(baseDir, f))).ToArray();
        foreach (var s in shards.Skip(1))
        {
            var a = shards[0].Columns.Select(c => c.Name);
            var b = s.Columns.Select(c => c.Name);
            if (!a.SequenceEqual(b))
                throw new InvalidDataException($"dataset '{name}': shard '{s.RelativeName}' has columns ({string.Join(", ", b)}) but '{shards[0].RelativeName}' has ({string.Join(", ", a)})");
        }
        return new ParquetDataset(name, baseDir, shards, cacheBytes);
    }

    /// <inheritdoc/>
    public override string Name { get; }

    /// <inheritdoc/>
    public override int Count => (int)_shardStarts[^1];

    /// <inheritdoc/>
    public override IReadOnlyList<KeyValuePair<string, Feature>> Features { get; }

    /// <summary>Rows per shard, in order.</summary>
    public IReadOnlyList<long> ShardLengths => _shards.Select(s => s.RowCount).ToList();

    /// <summary>Shard files relative to the dataset folder, in order.</summary>
    public IReadOnlyList<string> ShardNames => _shards.Select(s => s.RelativeName).ToList();

    /// <inheritdoc/>
    protected override DatasetRow ReadRow(int index)
    {
        int shard = Locate(_shardStarts, index);
        long inShard = index - _shardStarts[shard];
        var s = _shards[shard];
        int group = Locate(s.GroupStarts, inShard);
        var rows = _cache.Get((shard, group), () => s.ReadGroup(group, _baseDir));
        return new DatasetRow(_columnNames, rows[inShard - s.GroupStarts[group]], new RowSource(Name, s.RelativeName, inShard));
    }

    static int Locate(long[] starts, long index)
    {
        int i = Array.BinarySearch(starts, index);
        if (i < 0) return ~i - 1;
        // Skip empty shards/groups that start at the same row.
        while (i + 1 < starts.Length - 1 && starts[i + 1] == index) i++;
        return i;
    }
}
