namespace VisionGrpo.Data;

/// <summary>A view of chosen rows of another dataset (what <c>select</c>, <c>shuffle</c> and split slicing return).</summary>
internal sealed class SelectedDataset : Dataset
{
    readonly Dataset _source;
    readonly int[] _indices;

    public SelectedDataset(Dataset source, IReadOnlyList<int> indices)
    {
        _source = source;
        _indices = indices.ToArray();
        foreach (int i in _indices)
            if ((uint)i >= (uint)source.Count)
                throw new ArgumentOutOfRangeException(nameof(indices), i, $"dataset '{source.Name}' has {source.Count} rows");
    }

    public override string Name => _source.Name;

    public override int Count => _indices.Length;

    public override IReadOnlyList<KeyValuePair<string, Feature>> Features => _source.Features;

    protected override DatasetRow ReadRow(int index) => _source[_indices[index]];
}
