namespace VisionGrpo.Data.Hub;

/// <summary>
/// huggingface_hub's cache layout for one repo, so Python and VisionGrpo share downloads:
/// <c>{cache}/models--org--name/blobs/{etag}</c>, <c>refs/{revision}</c> (a commit sha),
/// <c>snapshots/{commit}/{path}</c> (relative symlinks to the blobs).
/// </summary>
internal sealed class HubCache
{
    /// <summary>The cache entry of <paramref name="repoId"/> under <paramref name="cacheDir"/> (default <c>HF_HUB_CACHE</c>).</summary>
    public HubCache(string repoId, RepoType type, string? cacheDir = null)
    {
        HubClient.ValidateRepoId(repoId);
        RepoDir = Path.Combine(cacheDir ?? HfCachePaths.HubCache(), HfCachePaths.RepoFolderName(repoId, type));
    }

    /// <summary><c>{cache}/models--org--name</c>.</summary>
    public string RepoDir { get; }

    /// <summary>Where a blob with this etag is stored.</summary>
    public string BlobPath(string etag) => Path.Combine(RepoDir, "blobs", SafeName(etag));

    /// <summary>The snapshot folder of a commit.</summary>
    public string SnapshotDir(string commit) => Path.Combine(RepoDir, "snapshots", SafeName(commit));

    /// <summary>A file of a snapshot; the repo path is confined to the snapshot folder.</summary>
    /// <exception cref="HubException">The repo path would leave the snapshot folder.</exception>
    public string SnapshotFile(string commit, string repoPath)
    {
        string root = SnapshotDir(commit);
        try { return ImageCell.ResolvePath(repoPath, root); }
        catch (InvalidDataException e) { throw new HubException($"refusing repo file '{repoPath}': {e.Message}", inner: e); }
    }

    /// <summary>Records that <paramref name="revision"/> points at <paramref name="commit"/> (<c>refs/{revision}</c>).</summary>
    public void WriteRef(string revision, string commit)
    {
        if (revision == commit) return;
        string file = Path.Combine(RepoDir, "refs", revision);
        if (!Path.GetFullPath(file).StartsWith(Path.GetFullPath(Path.Combine(RepoDir, "refs")) + Path.DirectorySeparatorChar, StringComparison.Ordinal))
            throw new HubException($"revision '{revision}' is not a valid ref name");
        Directory.CreateDirectory(Path.GetDirectoryName(file)!);
        File.WriteAllText(file, commit);
    }

    /// <summary>The commit a revision resolves to offline: a 40-hex sha itself, else the content of <c>refs/{revision}</c>.</summary>
    public string? ResolveRevision(string revision)
    {
        if (IsCommitSha(revision)) return revision;
        string file = Path.Combine(RepoDir, "refs", revision);
        return File.Exists(file) ? File.ReadAllText(file).Trim() : null;
    }

    /// <summary>Points <c>snapshots/{commit}/{path}</c> at the blob (relative symlink; a copy where links are not allowed).</summary>
    public string Link(string commit, string repoPath, string etag)
    {
        string target = SnapshotFile(commit, repoPath);
        Directory.CreateDirectory(Path.GetDirectoryName(target)!);
        string blob = BlobPath(etag);
        if (File.Exists(target) || new FileInfo(target).LinkTarget is not null) File.Delete(target);
        try
        {
            File.CreateSymbolicLink(target, Path.GetRelativePath(Path.GetDirectoryName(target)!, blob));
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException or PlatformNotSupportedException)
        {
            File.Copy(blob, target, overwrite: true);
        }
        return target;
    }

    /// <summary>True for a full 40-character lowercase hex commit sha.</summary>
    public static bool IsCommitSha(string s) => s.Length == 40 && s.All(char.IsAsciiHexDigitLower);

    static string SafeName(string s) =>
        s.Length > 0 && s.All(c => char.IsAsciiLetterOrDigit(c) || c is '-' or '_' or '.') && s != "." && s != ".."
            ? s : throw new HubException($"'{s}' is not a valid etag or commit id");
}
