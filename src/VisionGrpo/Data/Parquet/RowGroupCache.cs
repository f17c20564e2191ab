namespace VisionGrpo.Data.Parquet;

/// <summary>A small thread-safe LRU of decoded row groups: bounded memory, and sequential reads decode each group once.</summary>
internal sealed class RowGroupCache(int capacity)
{
    readonly LinkedList<((int Shard, int Group) Key, object?[][] Rows)> _items = new();
    readonly Lock _lock = new();

    public object?[][] Get((int Shard, int Group) key, Func<object?[][]> load)
    {
        lock (_lock)
        {
            for (var node = _items.First; node is not null; node = node.Next)
            {
                if (node.Value.Key != key) continue;
                _items.Remove(node);
                _items.AddFirst(node);
                return node.Value.Rows;
            }
        }
        var rows = load();
        lock (_lock)
        {
            _items.AddFirst((key, rows));
            while (_items.Count > Math.Max(1, capacity)) _items.RemoveLast();
        }
        return rows;
    }
}
