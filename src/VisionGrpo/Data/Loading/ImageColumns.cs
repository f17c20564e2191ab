namespace VisionGrpo.Data.Loading;

/// <summary>Which text columns of JSONL/CSV/folder datasets hold image paths (read as the <c>Image</c> feature).</summary>
internal static class ImageColumns
{
    /// <summary>Column names treated as image paths when the caller does not name one.</summary>
    public static readonly string[] Conventional = ["image", "image_path", "file_name", "images"];

    public static bool IsImage(string column, string? requested) =>
        requested is not null ? column == requested : Conventional.Contains(column);

    /// <summary>
    /// Turns a path value into an image cell confined to <paramref name="baseDir"/>, and a list of paths into a list
    /// of cells (a multi-image row).
    /// </summary>
    public static object? ToCell(object? value, string baseDir) => value switch
    {
        null => null,
        string s when s.Length == 0 => null,
        string s => new ImageCell(null, s, baseDir),
        IReadOnlyList<object?> list => list.Select(v => ToCell(v, baseDir)).ToList(),
        _ => value,
    };

    /// <summary>The feature of an image column: a list of images when any row holds a list of paths.</summary>
    public static Feature FeatureOf(IEnumerable<object?> values) =>
        values.Any(v => v is IReadOnlyList<object?>) ? Feature.ImageList : Feature.Image;
}
