namespace VisionGrpo.Data.Loading;

/// <summary>Which text columns of JSONL/CSV/folder datasets hold image paths (read as the <c>Image</c> feature).</summary>
internal static class ImageColumns
{
    /// <summary>Column names treated as image paths when the caller does not name one.</summary>
    public static readonly string[] Conventional = ["image", "image_path", "file_name", "images"];

    public static bool IsImage(string column, string? requested) =>
        requested is not null ? column == requested : Conventional.Contains(column);

    /// <summary>Turns a path value into an image cell confined to <paramref name="baseDir"/>.</summary>
    public static object? ToCell(object? value, string baseDir) => value switch
    {
        null => null,
        string s when s.Length == 0 => null,
        string s => new ImageCell(null, s, baseDir),
        _ => value,
    };
}
