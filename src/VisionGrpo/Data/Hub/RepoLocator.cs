namespace VisionGrpo.Data.Hub;

/// <summary>
/// What <c>--model</c>/<c>--dataset</c> arguments accept: a local folder or file, or a Hub repo id that is fetched
/// into (or found in) the shared cache.
/// </summary>
public static class RepoLocator
{
    /// <summary>Returns a local path for <paramref name="pathOrRepoId"/>, downloading the repo snapshot if needed.</summary>
    /// <param name="pathOrRepoId">A local folder or file, or a Hub repo id.</param>
    /// <param name="type">Model or dataset repo.</param>
    /// <param name="revision">Branch, tag or commit of a Hub repo.</param>
    /// <param name="include">Glob patterns of the files to download (all when null).</param>
    /// <param name="progress">Receives download progress.</param>
    /// <param name="source">The config key or option the value came from (e.g. <c>model_name_or_path</c>); errors start with it.</param>
    /// <exception cref="ArgumentException">Neither an existing path nor a valid repo id.</exception>
    /// <exception cref="HubException">The download failed (or offline and not cached).</exception>
    public static string Resolve(string pathOrRepoId, RepoType type, string revision = "main", IReadOnlyList<string>? include = null,
        IProgress<HubProgress>? progress = null, string? source = null)
    {
        string from = source is null ? "" : source + ": ";
        if (File.Exists(pathOrRepoId) || Directory.Exists(pathOrRepoId)) return Path.GetFullPath(pathOrRepoId);
        bool looksLikePath = pathOrRepoId.StartsWith('.') || pathOrRepoId.StartsWith('/') || pathOrRepoId.StartsWith('~')
            || pathOrRepoId.Count(c => c == '/') > 1 || pathOrRepoId.Contains('\\');
        if (looksLikePath) throw new ArgumentException($"{from}'{pathOrRepoId}' does not exist");
        try { HubClient.ValidateRepoId(pathOrRepoId); }
        catch (ArgumentException) { throw new ArgumentException($"{from}'{pathOrRepoId}' is neither an existing path nor a Hub repo id (org/name)"); }
        var downloader = new HubDownloader(new HubClient());
        return downloader.SnapshotAsync(pathOrRepoId, type, revision, include, progress: progress).GetAwaiter().GetResult();
    }
}
