namespace VisionGrpo.Text;

/// <summary>Truncation and padding of encoded rows, as transformers' <c>pad</c>/<c>truncate</c> do.</summary>
internal static class BatchPadder
{
    public static BatchEncoding Pad(int[][] rows, BatchEncodeOptions options, TokenizerConfig config, int? padId)
    {
        int maxLength = options.MaxLength ?? config.ModelMaxLength;
        if (maxLength <= 0) throw new ArgumentOutOfRangeException(nameof(options), maxLength, "MaxLength must be positive.");
        if (options.Truncation)
        {
            var side = options.TruncationSide ?? config.TruncationSide;
            for (int i = 0; i < rows.Length; i++)
                if (rows[i].Length > maxLength)
                    rows[i] = side == Side.Right ? rows[i][..maxLength] : rows[i][^maxLength..];
        }

        int target = options.Padding switch
        {
            PaddingStrategy.None => -1,
            PaddingStrategy.Longest => rows.Length == 0 ? 0 : rows.Max(r => r.Length),
            PaddingStrategy.MaxLength => options.MaxLength ?? throw new ArgumentException("Padding = MaxLength needs BatchEncodeOptions.MaxLength.", nameof(options)),
            _ => throw new ArgumentOutOfRangeException(nameof(options), options.Padding, "Unknown padding strategy."),
        };
        if (target >= 0 && options.PadToMultipleOf is int multiple and > 0)
            target = (target + multiple - 1) / multiple * multiple;

        var ids = new int[rows.Length][];
        var masks = new int[rows.Length][];
        var padSide = options.PaddingSide ?? config.PaddingSide;
        for (int i = 0; i < rows.Length; i++)
        {
            int pad = Math.Max(0, target - rows[i].Length);
            if (pad > 0 && padId is null)
                throw new InvalidOperationException("Padding was requested but the tokenizer has no pad_token (tokenizer_config.json / special_tokens_map.json).");
            ids[i] = new int[rows[i].Length + pad];
            masks[i] = new int[rows[i].Length + pad];
            int offset = padSide == Side.Left ? pad : 0;
            int padStart = padSide == Side.Left ? 0 : rows[i].Length;
            rows[i].CopyTo(ids[i], offset);
            Array.Fill(ids[i], padId ?? 0, padStart, pad);
            Array.Fill(masks[i], 1, offset, rows[i].Length);
        }
        return new BatchEncoding(ids, masks);
    }
}
