namespace VisionGrpo.Tests.Data;

/// <summary>
/// Lays a folder out exactly as huggingface_hub's cache does: <c>models--ORG--NAME/blobs/&lt;etag&gt;</c> (sha256
/// for LFS-sized files, git blob sha1 for the rest), <c>refs/main</c> holding the commit, and
/// <c>snapshots/&lt;commit&gt;/&lt;path&gt;</c> as relative symlinks (<c>../../blobs/&lt;etag&gt;</c>).
/// </summary>
internal static class HubLayout
{
    public const string Commit = "89abcdef0123456789abcdef0123456789abcdef";

    /// <summary>Copies every file of <paramref name="source"/> into the cache entry of <paramref name="repoId"/>; returns the snapshot folder.</summary>
    public static string Write(string source, string hubCache, string repoId, string kind = "models")
    {
        string repo = Path.Combine(hubCache, $"{kind}--{repoId.Replace("/", "--")}");
        string snapshot = Path.Combine(repo, "snapshots", Commit);
        Directory.CreateDirectory(Path.Combine(repo, "blobs"));
        Directory.CreateDirectory(Path.Combine(repo, "refs"));
        File.WriteAllText(Path.Combine(repo, "refs", "main"), Commit);
        foreach (string file in Directory.EnumerateFiles(source, "*", SearchOption.AllDirectories))
        {
            byte[] bytes = File.ReadAllBytes(file);
            string etag = bytes.Length > 10_000 ? FakeHub.Sha256(bytes) : FakeHub.GitSha1(bytes);
            string blob = Path.Combine(repo, "blobs", etag);
            if (!File.Exists(blob)) File.WriteAllBytes(blob, bytes);
            string link = Path.Combine(snapshot, Path.GetRelativePath(source, file));
            Directory.CreateDirectory(Path.GetDirectoryName(link)!);
            File.CreateSymbolicLink(link, Path.GetRelativePath(Path.GetDirectoryName(link)!, blob));
        }
        return snapshot;
    }

    /// <summary>Serves every file of <paramref name="source"/> from <paramref name="hub"/> as repo <paramref name="repoId"/>.</summary>
    public static void Serve(FakeHub hub, string source, string repoId)
    {
        hub.RepoId = repoId;
        foreach (string file in Directory.EnumerateFiles(source, "*", SearchOption.AllDirectories))
        {
            byte[] bytes = File.ReadAllBytes(file);
            hub.Files[Path.GetRelativePath(source, file).Replace('\\', '/')] = new(bytes, Lfs: bytes.Length > 10_000);
        }
    }
}
