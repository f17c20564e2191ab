namespace VisionGrpo.Data.Validation;

/// <summary>One rejected row and why.</summary>
/// <param name="Source">Dataset, shard and row.</param>
/// <param name="Reason">What is wrong (null column, undecodable image, …).</param>
public sealed record BadRow(RowSource Source, string Reason)
{
    /// <summary><c>dataset 'x', shard 'y', row 5: column 'image' is null</c>.</summary>
    public override string ToString() => $"{Source}: {Reason}";
}

/// <summary>Counts skipped rows and keeps the first few for the log; thread-safe.</summary>
public sealed class BadRowReport(int keep = 100)
{
    readonly List<BadRow> _rows = [];
    readonly Lock _lock = new();
    int _count;

    /// <summary>Number of bad rows seen.</summary>
    public int Count { get { lock (_lock) return _count; } }

    /// <summary>The first bad rows (at most the <c>keep</c> given at construction).</summary>
    public IReadOnlyList<BadRow> Examples { get { lock (_lock) return _rows.ToList(); } }

    /// <summary>Raised for every bad row, so a trainer can log it as it happens.</summary>
    public event Action<BadRow>? Reported;

    /// <summary>Records a bad row.</summary>
    public void Add(BadRow row)
    {
        lock (_lock)
        {
            _count++;
            if (_rows.Count < keep) _rows.Add(row);
        }
        Reported?.Invoke(row);
    }

    /// <summary>One line for logs: how many rows were skipped and the first of them.</summary>
    public string Summary() => Count == 0 ? "no bad rows" : $"skipped {Count} bad row(s); first: {Examples[0]}";
}
