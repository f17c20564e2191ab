using System.Numerics;
using VisionGrpo.Data.Rng;
using VisionGrpo.Data.Splits;

namespace VisionGrpo.Data;

/// <summary>
/// A table of rows with named, typed columns, read lazily (the equivalent of a <c>datasets.Dataset</c>).
/// Row access is by position; <see cref="Select"/>, <see cref="Shuffle"/> and <see cref="TrainTestSplit"/>
/// return views that share the underlying storage.
/// </summary>
public abstract partial class Dataset
{
    /// <summary>A name for messages (folder, repo id or file).</summary>
    public abstract string Name { get; }

    /// <summary>Number of rows.</summary>
    public abstract int Count { get; }

    /// <summary>Column names → features, in column order.</summary>
    public abstract IReadOnlyList<KeyValuePair<string, Feature>> Features { get; }

    /// <summary>Column names in order.</summary>
    public IReadOnlyList<string> ColumnNames => Features.Select(f => f.Key).ToList();

    /// <summary>Reads row <paramref name="index"/> (0-based).</summary>
    /// <exception cref="ArgumentOutOfRangeException">Outside [0, Count).</exception>
    public DatasetRow this[int index]
    {
        get
        {
            if ((uint)index >= (uint)Count)
                throw new ArgumentOutOfRangeException(nameof(index), index, $"dataset '{Name}' has {Count} rows");
            return ReadRow(index);
        }
    }

    /// <summary>Reads a row whose index is already checked.</summary>
    protected abstract DatasetRow ReadRow(int index);

    /// <summary>All rows in order (lazily).</summary>
    public IEnumerable<DatasetRow> Rows()
    {
        for (int i = 0; i < Count; i++) yield return ReadRow(i);
    }

    /// <summary>The rows at <paramref name="indices"/>, in that order (duplicates allowed), as <c>Dataset.select</c>.</summary>
    public Dataset Select(IReadOnlyList<int> indices) => new SelectedDataset(this, indices);

    /// <summary><c>Dataset.shuffle(seed)</c>: the rows in the order of numpy <c>default_rng(seed).permutation(n)</c>.</summary>
    public Dataset Shuffle(BigInteger seed) => Select(new NumpyRandom(seed).Permutation(Count));

    /// <summary><c>Dataset.train_test_split</c>: the same rows, in the same order, as <c>datasets</c>.</summary>
    /// <returns>A dict with <c>train</c> and <c>test</c>.</returns>
    public IReadOnlyDictionary<string, Dataset> TrainTestSplit(SplitSize? testSize, SplitSize? trainSize = null, BigInteger? seed = null, bool shuffle = true)
    {
        var idx = Splits.TrainTestSplit.Compute(Count, testSize, trainSize, seed, shuffle);
        return new Dictionary<string, Dataset> { ["train"] = Select(idx.Train), ["test"] = Select(idx.Test) };
    }
}
