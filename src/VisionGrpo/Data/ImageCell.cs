namespace VisionGrpo.Data;

/// <summary>
/// A cell of the HF <c>Image</c> feature: encoded <c>bytes</c> and/or a <c>path</c>. As in <c>datasets</c>, bytes win
/// when present; otherwise a relative path is read from inside the dataset folder and may never leave it.
/// </summary>
public sealed record ImageCell
{
    /// <summary>Creates a cell; <paramref name="baseDir"/> is the dataset folder a relative path resolves in.</summary>
    public ImageCell(byte[]? bytes, string? path, string? baseDir)
    {
        Bytes = bytes;
        Path = path;
        BaseDir = baseDir;
    }

    /// <summary>The encoded image (PNG, JPEG, …), if stored inline.</summary>
    public byte[]? Bytes { get; }

    /// <summary>The stored path (often just the original file's name).</summary>
    public string? Path { get; }

    /// <summary>The dataset folder relative paths are confined to.</summary>
    public string? BaseDir { get; }

    /// <summary>The encoded image bytes: inline bytes, else the file at <see cref="Path"/> inside the dataset folder.</summary>
    /// <exception cref="InvalidDataException">Neither bytes nor path, or a path that escapes the dataset folder.</exception>
    /// <exception cref="FileNotFoundException">The referenced file does not exist.</exception>
    public byte[] ReadBytes()
    {
        if (Bytes is { } b) return b;
        if (string.IsNullOrEmpty(Path)) throw new InvalidDataException("image cell has neither bytes nor path");
        string file = ResolvePath(Path, BaseDir);
        if (!File.Exists(file)) throw new FileNotFoundException($"image file '{Path}' not found (looked for {file})", file);
        return File.ReadAllBytes(DatasetBoundary.For(BaseDir!).RegularFile(file, Path));
    }

    /// <summary>
    /// Resolves <paramref name="path"/> inside <paramref name="baseDir"/>; rejects absolute paths and <c>..</c>
    /// escapes (a dataset must not make the trainer read <c>/etc/passwd</c>). Links are checked when the file is
    /// read (<see cref="DatasetBoundary"/>).
    /// </summary>
    /// <exception cref="InvalidDataException">The path leaves the folder, or there is no folder to resolve it in.</exception>
    internal static string ResolvePath(string path, string? baseDir)
    {
        if (string.IsNullOrEmpty(baseDir))
            throw new InvalidDataException($"image path '{path}' cannot be resolved: the dataset has no folder");
        if (System.IO.Path.IsPathRooted(path) || path.Contains('\0'))
            throw new InvalidDataException($"image path '{path}' is absolute; only paths inside the dataset folder are allowed");
        string root = System.IO.Path.GetFullPath(baseDir);
        string full = System.IO.Path.GetFullPath(System.IO.Path.Combine(root, path));
        string rootWithSep = root.EndsWith(System.IO.Path.DirectorySeparatorChar) ? root : root + System.IO.Path.DirectorySeparatorChar;
        if (!full.StartsWith(rootWithSep, StringComparison.Ordinal))
            throw new InvalidDataException($"image path '{path}' escapes the dataset folder '{root}'");
        return full;
    }

    /// <summary>Size only, for listings: <c>PNG 3341 bytes</c> or <c>path figure_005.jpg</c>.</summary>
    public override string ToString() => Bytes is { } b ? $"<image {b.Length} bytes{(Path is null ? "" : $", {Path}")}>" : $"<image {Path}>";
}
