namespace VisionGrpo.Data.Loading;

/// <summary>An in-memory table (what JSONL, CSV and image folders load into; they are small next to parquet datasets).</summary>
internal sealed class TableDataset : Dataset
{
    readonly List<object?[]> _rows;
    readonly List<RowSource> _sources;
    readonly IReadOnlyList<string> _columns;

    /// <summary>Creates a table from rows (values in <paramref name="features"/> order) and where each came from.</summary>
    public TableDataset(string name, IReadOnlyList<KeyValuePair<string, Feature>> features, List<object?[]> rows, List<RowSource> sources)
    {
        if (rows.Count != sources.Count) throw new ArgumentException("one source per row is required", nameof(sources));
        Name = name;
        Features = features;
        _columns = features.Select(f => f.Key).ToList();
        _rows = rows;
        _sources = sources;
    }

    /// <inheritdoc/>
    public override string Name { get; }

    /// <inheritdoc/>
    public override int Count => _rows.Count;

    /// <inheritdoc/>
    public override IReadOnlyList<KeyValuePair<string, Feature>> Features { get; }

    /// <inheritdoc/>
    protected override DatasetRow ReadRow(int index) => new(_columns, _rows[index], _sources[index]);
}
