namespace VisionGrpo.Data;

/// <summary>Where a row comes from: for error messages that let a user find the bad row.</summary>
/// <param name="Dataset">Dataset name or folder.</param>
/// <param name="Shard">Shard file (relative to the dataset folder), or the file name for single-file datasets.</param>
/// <param name="RowInShard">0-based row inside the shard.</param>
public readonly record struct RowSource(string Dataset, string Shard, long RowInShard)
{
    /// <summary><c>dataset 'x', shard 'data/train-00000-of-00002.parquet', row 12</c>.</summary>
    public override string ToString() => $"dataset '{Dataset}', shard '{Shard}', row {RowInShard}";
}
