namespace VisionGrpo.Data.Parquet;

/// <summary>
/// A thread-safe LRU of decoded row groups bounded by an estimate of their memory: small datasets end up fully
/// cached (fast shuffled access), large ones keep only the most recent groups (bounded memory).
/// </summary>
internal sealed class RowGroupCache(long budgetBytes)
{
    readonly LinkedList<((int Shard, int Group) Key, object?[][] Rows, long Bytes)> _items = new();
    readonly Lock _lock = new();
    long _bytes;

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
        long size = Estimate(rows);
        lock (_lock)
        {
            _items.AddFirst((key, rows, size));
            _bytes += size;
            // Always keep the group just loaded, even if it alone exceeds the budget.
            while (_bytes > budgetBytes && _items.Count > 1)
            {
                _bytes -= _items.Last!.Value.Bytes;
                _items.RemoveLast();
            }
        }
        return rows;
    }

    static long Estimate(object?[][] rows)
    {
        long total = 0;
        foreach (var row in rows)
            foreach (var v in row)
                total += v switch
                {
                    string s => 24 + 2L * s.Length,
                    byte[] b => 24 + b.Length,
                    ImageCell c => 64 + (c.Bytes?.Length ?? 0) + 2L * (c.Path?.Length ?? 0),
                    System.Collections.ICollection l => 32 + 16L * l.Count,
                    null => 8,
                    _ => 24,
                };
        return total;
    }
}
