namespace VisionGrpo.Data.Hub;

/// <summary>
/// What <c>--model</c>/<c>--dataset</c> arguments accept: a local folder or file, or a Hub repo id that is fetched
/// into (or found in) the shared cache.
/// </summary>
public static class RepoLocator
{
    /// <summary>Returns a local path for <paramref name="pathOrRepoId"/>, downloading the repo snapshot if needed.</summary>
    /// <exception cref="ArgumentException">Neither an existing path nor a valid repo id.</exception>
    /// <exception cref="HubException">The download failed (or offline and not cached).</exception>
    public static string Resolve(string pathOrRepoId, RepoType type, string revision = "main", IReadOnlyList<string>? include = null,
        IProgress<HubProgress>? progress = null)
    {
        if (File.Exists(pathOrRepoId) || Directory.Exists(pathOrRepoId)) return Path.GetFullPath(pathOrRepoId);
        bool looksLikePath = pathOrRepoId.StartsWith('.') || pathOrRepoId.StartsWith('/') || pathOrRepoId.StartsWith('~')
            || pathOrRepoId.Count(c => c == '/') > 1 || pathOrRepoId.Contains('\\');
        if (looksLikePath) throw new ArgumentException($"'{pathOrRepoId}' does not exist");
        try { HubClient.ValidateRepoId(pathOrRepoId); }
        catch (ArgumentException) { throw new ArgumentException($"'{pathOrRepoId}' is neither an existing path nor a Hub repo id (org/name)"); }
        var downloader = new HubDownloader(new HubClient());
        return downloader.SnapshotAsync(pathOrRepoId, type, revision, include, progress: progress).GetAwaiter().GetResult();
    }
}
