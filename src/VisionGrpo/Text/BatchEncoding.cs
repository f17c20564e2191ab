namespace VisionGrpo.Text;

/// <summary>How <see cref="HfTokenizer.EncodeBatch"/> pads (HF <c>padding=</c>).</summary>
public enum PaddingStrategy
{
    /// <summary>No padding: rows keep their own lengths (HF <c>padding=False</c>).</summary>
    None,
    /// <summary>Pad every row to the longest row (HF <c>padding=True</c> / <c>"longest"</c>).</summary>
    Longest,
    /// <summary>Pad every row to <see cref="BatchEncodeOptions.MaxLength"/> (HF <c>padding="max_length"</c>).</summary>
    MaxLength,
}

/// <summary>Options of a batch encode, named after the transformers tokenizer call arguments.</summary>
public sealed record BatchEncodeOptions
{
    /// <summary>Padding strategy; default <see cref="PaddingStrategy.Longest"/>.</summary>
    public PaddingStrategy Padding { get; init; } = PaddingStrategy.Longest;
    /// <summary>Padding side; null uses the tokenizer's configured side.</summary>
    public Side? PaddingSide { get; init; }
    /// <summary>Cut rows longer than <see cref="MaxLength"/>.</summary>
    public bool Truncation { get; init; }
    /// <summary>Truncation side; null uses the tokenizer's configured side.</summary>
    public Side? TruncationSide { get; init; }
    /// <summary>Length limit for truncation and <see cref="PaddingStrategy.MaxLength"/>; null uses <c>model_max_length</c>.</summary>
    public int? MaxLength { get; init; }
    /// <summary>Round the padded length up to a multiple of this (HF <c>pad_to_multiple_of</c>).</summary>
    public int? PadToMultipleOf { get; init; }
    /// <summary>Encode rows on several threads (results are identical to the sequential encode).</summary>
    public bool Parallel { get; init; } = true;
}

/// <summary>Token ids and attention masks of a batch; rows may differ in length when padding is off.</summary>
/// <param name="InputIds">One id array per input text.</param>
/// <param name="AttentionMask">1 for real tokens, 0 for padding, same shape as <paramref name="InputIds"/>.</param>
public sealed record BatchEncoding(IReadOnlyList<int[]> InputIds, IReadOnlyList<int[]> AttentionMask)
{
    /// <summary>Number of rows.</summary>
    public int Count => InputIds.Count;

    /// <summary>The ids as one row-major <c>long</c> array (for a tensor), requiring equal row lengths.</summary>
    public long[] ToFlatIds(out int rows, out int columns) => Flatten(InputIds, out rows, out columns);

    /// <summary>The attention mask as one row-major <c>long</c> array, requiring equal row lengths.</summary>
    public long[] ToFlatMask(out int rows, out int columns) => Flatten(AttentionMask, out rows, out columns);

    static long[] Flatten(IReadOnlyList<int[]> data, out int rows, out int columns)
    {
        rows = data.Count;
        columns = rows == 0 ? 0 : data[0].Length;
        var flat = new long[rows * columns];
        for (int r = 0; r < rows; r++)
        {
            if (data[r].Length != columns)
                throw new InvalidOperationException($"Row {r} has {data[r].Length} tokens but row 0 has {columns}; encode with padding to get a rectangular batch.");
            for (int c = 0; c < columns; c++) flat[r * columns + c] = data[r][c];
        }
        return flat;
    }
}
