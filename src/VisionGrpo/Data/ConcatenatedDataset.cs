namespace VisionGrpo.Data;

/// <summary>Datasets with the same columns read one after the other (<c>concatenate_datasets</c>, and <c>train+test</c> splits).</summary>
public sealed class ConcatenatedDataset : Dataset
{
    readonly Dataset[] _parts;
    readonly int[] _starts;

    /// <summary>Concatenates <paramref name="parts"/>; all must have the same column names.</summary>
    /// <exception cref="ArgumentException">No parts, or columns differ.</exception>
    public ConcatenatedDataset(string name, IReadOnlyList<Dataset> parts)
    {
        if (parts.Count == 0) throw new ArgumentException("nothing to concatenate", nameof(parts));
        var cols = parts[0].ColumnNames;
        foreach (var p in parts.Skip(1))
            if (!p.ColumnNames.SequenceEqual(cols))
                throw new ArgumentException($"cannot concatenate '{p.Name}' ({string.Join(", ", p.ColumnNames)}) with '{parts[0].Name}' ({string.Join(", ", cols)}): columns differ");
        Name = name;
        _parts = parts.ToArray();
        _starts = new int[_parts.Length + 1];
        for (int i = 0; i < _parts.Length; i++) _starts[i + 1] = checked(_starts[i] + _parts[i].Count);
    }

    /// <inheritdoc/>
    public override string Name { get; }

    /// <inheritdoc/>
    public override int Count => _starts[^1];

    /// <inheritdoc/>
    public override IReadOnlyList<KeyValuePair<string, Feature>> Features => _parts[0].Features;

    /// <inheritdoc/>
    protected override DatasetRow ReadRow(int index)
    {
        // Few parts (one per split piece): a linear scan is simplest and skips empty parts naturally.
        int part = 0;
        while (_starts[part + 1] <= index) part++;
        return _parts[part][index - _starts[part]];
    }
}
