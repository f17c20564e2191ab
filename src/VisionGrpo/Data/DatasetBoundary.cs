namespace VisionGrpo.Data;

/// <summary>
/// The dataset folder as a boundary (docs/data.md): every data file and image the loaders read must be a regular
/// file whose real path, every link in every component resolved, lies inside it. Links inside the folder keep
/// working; links out of it, FIFOs and devices are refused with the reason, and directory links are followed at
/// most once (no loops). A Hub cache snapshot (<c>…/datasets--org--name/snapshots/&lt;commit&gt;/…</c>) is
/// bounded by its cache repo folder, because its files are relative links into <c>../../blobs/</c>.
/// </summary>
internal sealed class DatasetBoundary
{
    readonly string _rootWithSeparator;

    DatasetBoundary(string root)
    {
        Root = root;
        _rootWithSeparator = root.EndsWith(Path.DirectorySeparatorChar) ? root : root + Path.DirectorySeparatorChar;
    }

    /// <summary>The real path every file must lie under.</summary>
    public string Root { get; }

    /// <summary>The boundary of the dataset folder <paramref name="datasetDir"/>.</summary>
    /// <exception cref="DirectoryNotFoundException">The folder does not exist.</exception>
    public static DatasetBoundary For(string datasetDir)
    {
        string full = Path.GetFullPath(datasetDir);
        for (string? dir = full; dir is not null; dir = Path.GetDirectoryName(dir))
        {
            string? snapshots = Path.GetDirectoryName(dir);
            if (snapshots is not null && Path.GetFileName(snapshots) == "snapshots"
                && Path.GetDirectoryName(snapshots) is { } repo && Directory.Exists(Path.Combine(repo, "blobs")))
            {
                full = repo;
                break;
            }
        }
        return new DatasetBoundary(UnixFiles.RealPath(full)
            ?? throw new DirectoryNotFoundException($"dataset folder '{datasetDir}' does not exist"));
    }

    /// <summary>Whether the real path <paramref name="realPath"/> lies inside the boundary.</summary>
    public bool Contains(string realPath) =>
        realPath == Root || realPath.StartsWith(_rootWithSeparator, StringComparison.Ordinal);

    /// <summary>
    /// Checks that <paramref name="path"/> is a regular file inside the boundary; returns its real path.
    /// <paramref name="shownAs"/> names it in errors (the path as the row or folder spells it).
    /// </summary>
    /// <exception cref="FileNotFoundException">Nothing there, a broken link or a link loop.</exception>
    /// <exception cref="InvalidDataException">It resolves outside the boundary, or is a FIFO, socket or device.</exception>
    public string RegularFile(string path, string shownAs)
    {
        string real = UnixFiles.RealPath(path)
            ?? throw new FileNotFoundException($"'{shownAs}' not found, or a broken or looping link (looked for {path})", path);
        if (!Contains(real))
            throw new InvalidDataException($"'{shownAs}' escapes the dataset folder '{Root}' (it resolves to '{real}'; links may not leave the folder)");
        if (UnixFiles.Kind(real) is var kind and not FileKind.Regular)
            throw new InvalidDataException($"'{shownAs}' is not a regular file ({(kind == FileKind.Directory ? "a directory" : "a FIFO, socket or device")})");
        return real;
    }
}
