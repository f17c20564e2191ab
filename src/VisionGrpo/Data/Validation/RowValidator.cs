namespace VisionGrpo.Data.Validation;

/// <summary>
/// Checks rows before training: required columns must be non-null and image cells must decode (a null image is a
/// text-only row, as in TRL, not a bad one). Bad rows are never
/// dropped silently: <see cref="Filter"/> reports each one, and <see cref="BadRowPolicy.Fail"/> stops at the first.
/// </summary>
internal sealed class RowValidator
{
    readonly IReadOnlyList<string> _required;
    readonly IReadOnlyList<string> _images;

    /// <summary>Creates a validator for the given required columns and image columns (null images are allowed).</summary>
    public RowValidator(IEnumerable<string> requiredColumns, IEnumerable<string>? imageColumns = null)
    {
        _images = (imageColumns ?? []).ToList();
        _required = requiredColumns.Distinct().ToList();
    }

    /// <summary>A validator for the recipe's columns (<c>image</c>, <c>problem</c>, <c>solution</c>) when present in <paramref name="dataset"/>.</summary>
    public static RowValidator ForDataset(Dataset dataset, params string[] requiredText)
    {
        var images = dataset.Features.Where(f => f.Value.HoldsImages).Select(f => f.Key);
        var missing = requiredText.Where(c => !dataset.ColumnNames.Contains(c)).ToList();
        if (missing.Count > 0)
            throw new ArgumentException($"dataset '{dataset.Name}' has no column(s) {string.Join(", ", missing)}; columns: {string.Join(", ", dataset.ColumnNames)}");
        return new RowValidator(requiredText, images);
    }

    /// <summary>Why the row is bad, or null when it is fine.</summary>
    public string? Problem(DatasetRow row)
    {
        foreach (string c in _required)
        {
            if (!row.TryGetValue(c, out object? v)) return $"column '{c}' is missing";
            if (v is null) return $"column '{c}' is null";
        }
        foreach (string c in _images)
        {
            if (!row.TryGetValue(c, out object? value)) return $"column '{c}' is missing";
            if (value is null) continue;
            IReadOnlyList<ImageCell> cells;
            try { cells = row.GetImages(c); }
            catch (InvalidDataException) { return $"column '{c}' is not an image or a list of images"; }
            for (int i = 0; i < cells.Count; i++)
            {
                string name = cells.Count == 1 && value is ImageCell ? $"image '{c}'" : $"image '{c}'[{i}]";
                byte[] bytes;
                try { bytes = cells[i].ReadBytes(); }
                catch (Exception e) when (e is IOException or InvalidDataException or UnauthorizedAccessException) { return $"{name} cannot be read: {e.Message}"; }
                if (ImageProbe.DecodeProblem(bytes) is { } why) return $"{name} does not decode: {why}";
            }
        }
        return null;
    }

    /// <summary>The good rows of <paramref name="dataset"/>, reporting bad ones to <paramref name="report"/>.</summary>
    /// <exception cref="InvalidDataException">With <see cref="BadRowPolicy.Fail"/>: the first bad row, with dataset/shard/row.</exception>
    public IEnumerable<DatasetRow> Filter(Dataset dataset, BadRowPolicy policy, BadRowReport report)
    {
        foreach (var row in dataset.Rows())
        {
            if (Check(row, policy, report)) yield return row;
        }
    }

    /// <summary>Checks one row: true when it is good; false (and reported) when skipped; throws under <see cref="BadRowPolicy.Fail"/>.</summary>
    public bool Check(DatasetRow row, BadRowPolicy policy, BadRowReport report)
    {
        if (Problem(row) is not { } reason) return true;
        var bad = new BadRow(row.Source, reason);
        if (policy == BadRowPolicy.Fail)
            throw new InvalidDataException($"bad row: {bad} (use the skip policy to drop such rows and go on)");
        report.Add(bad);
        return false;
    }
}
