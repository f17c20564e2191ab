using System.Net;
using System.Net.Http.Headers;

namespace VisionGrpo.Data.Hub;

/// <summary>
/// <c>snapshot_download</c>: resolves a revision to a commit, downloads the selected files in parallel into the
/// huggingface_hub cache (resuming <c>.incomplete</c> blobs, verifying size and sha256/ETag), and links the snapshot.
/// Honours <c>HF_HUB_OFFLINE</c> (cache only) and falls back to the cache when the Hub is unreachable.
/// </summary>
public sealed class HubDownloader(HubClient client, string? cacheDir = null, int parallelism = 8, int maxResumes = 5)
{
    /// <summary>Downloads (or finds in the cache) a repo snapshot.</summary>
    /// <param name="repoId">org/name.</param>
    /// <param name="type">Model or dataset.</param>
    /// <param name="revision">Branch, tag or commit (default <c>main</c>).</param>
    /// <param name="include">fnmatch patterns of files to fetch (all when empty).</param>
    /// <param name="localDir">Copy the files here too (plain files), and return this folder.</param>
    /// <param name="offline">Cache only (default: <c>HF_HUB_OFFLINE</c>).</param>
    /// <param name="progress">Per-file byte progress.</param>
    /// <param name="ct">Cancellation.</param>
    /// <returns>The snapshot folder (or <paramref name="localDir"/>).</returns>
    /// <exception cref="HubException">Hub errors, verification failures, or offline with nothing cached.</exception>
    public async Task<string> SnapshotAsync(string repoId, RepoType type, string revision = "main", IReadOnlyList<string>? include = null,
        string? localDir = null, bool? offline = null, IProgress<HubProgress>? progress = null, CancellationToken ct = default)
    {
        var cache = new HubCache(repoId, type, cacheDir);
        if (offline ?? HfCachePaths.IsOffline())
            return CopyToLocal(Cached(cache, repoId, revision, "HF_HUB_OFFLINE is set"), localDir, include);

        HubRepoInfo info;
        try
        {
            info = await client.GetRepoInfoAsync(repoId, type, revision, ct);
        }
        catch (HttpRequestException e)
        {
            // Same as huggingface_hub: an unreachable Hub is not fatal when the snapshot is already cached.
            return CopyToLocal(Cached(cache, repoId, revision, $"the Hub is unreachable ({e.Message})"), localDir, include);
        }
        cache.WriteRef(revision, info.Sha);
        var files = info.Files.Where(f => include is not { Count: > 0 } || include.Any(p => FnMatch.IsMatch(f.Path, p))).ToList();
        if (files.Count == 0)
            throw new HubException($"'{repoId}' at {info.Sha[..7]} has no file matching {string.Join(", ", include ?? [])}");
        Directory.CreateDirectory(cache.SnapshotDir(info.Sha));
        await Parallel.ForEachAsync(files, new ParallelOptions { MaxDegreeOfParallelism = Math.Max(1, parallelism), CancellationToken = ct },
            async (file, token) => await DownloadFileAsync(cache, info, file, progress, token));
        return CopyToLocal(cache.SnapshotDir(info.Sha), localDir, include);
    }

    static string Cached(HubCache cache, string repoId, string revision, string why)
    {
        string? commit = cache.ResolveRevision(revision);
        string? dir = commit is null ? null : cache.SnapshotDir(commit);
        if (dir is null || !Directory.Exists(dir))
            throw new HubException($"{why} and '{repoId}' (revision '{revision}') is not in the cache at {cache.RepoDir}; download it first while online");
        return dir;
    }

    async Task DownloadFileAsync(HubCache cache, HubRepoInfo info, HubFile file, IProgress<HubProgress>? progress, CancellationToken ct)
    {
        string target = cache.SnapshotFile(info.Sha, file.Path);
        if (File.Exists(target))
        {
            // The snapshot entry is a link into blobs/: report the size of what it points at.
            progress?.Report(new HubProgress(file.Path, FileSize(target), file.Size));
            return;
        }
        var url = client.ResolveUrl(info.RepoId, info.Type, info.Sha, file.Path);
        var (etag, size) = await MetadataAsync(url, file, ct);
        string blob = cache.BlobPath(etag);
        if (!File.Exists(blob))
        {
            Directory.CreateDirectory(Path.GetDirectoryName(blob)!);
            string partial = blob + ".incomplete";
            await FetchWithResumeAsync(url, partial, file.Path, size, progress, ct);
            try { BlobVerifier.Verify(partial, file.Path, etag, size); }
            catch { File.Delete(partial); throw; }
            File.Move(partial, blob, overwrite: true);
        }
        cache.Link(info.Sha, file.Path, etag);
        progress?.Report(new HubProgress(file.Path, new FileInfo(blob).Length, size));
    }

    // HEAD without following cross-host redirects: the Hub's own headers carry the LFS sha256 (X-Linked-Etag) and size.
    async Task<(string Etag, long? Size)> MetadataAsync(Uri url, HubFile file, CancellationToken ct)
    {
        using var head = await client.Http.SendAsync(HttpMethod.Head, url, r => r.Headers.AcceptEncoding.ParseAdd("identity"), ct, followRedirects: false);
        int code = (int)head.StatusCode;
        if (code >= 400) throw HubHttp.Error(head, $"'{file.Path}'");
        string? etag = Header(head, "X-Linked-Etag") ?? head.Headers.ETag?.Tag ?? file.LfsSha256 ?? file.BlobId;
        etag = etag?.Replace("W/", "", StringComparison.Ordinal).Trim('"');
        if (string.IsNullOrEmpty(etag)) throw new HubException($"'{file.Path}': the Hub sent no ETag; cannot place it in the cache");
        long? size = long.TryParse(Header(head, "X-Linked-Size"), out long linked) ? linked
            : code < 300 && head.Content.Headers.ContentLength is { } len ? len : file.Size;
        return (etag, size);
    }

    /// <summary>Size of the file a path leads to, through links (FileInfo.Length of a link is the link's own size).</summary>
    static long FileSize(string path)
    {
        var info = new FileInfo(path);
        return (info.LinkTarget is null ? info : info.ResolveLinkTarget(returnFinalTarget: true) as FileInfo ?? info).Length;
    }

    static string? Header(HttpResponseMessage r, string name) =>
        r.Headers.TryGetValues(name, out var v) ? v.FirstOrDefault() : null;

    async Task FetchWithResumeAsync(Uri url, string partial, string repoPath, long? size, IProgress<HubProgress>? progress, CancellationToken ct)
    {
        for (int attempt = 0; ; attempt++)
        {
            long have = File.Exists(partial) ? new FileInfo(partial).Length : 0;
            if (size is { } s && have == s) return;
            try
            {
                using var response = await client.Http.SendAsync(HttpMethod.Get, url,
                    r => { if (have > 0) r.Headers.Range = new RangeHeaderValue(have, null); }, ct);
                if (response.StatusCode == HttpStatusCode.RequestedRangeNotSatisfiable) { File.Delete(partial); continue; }
                if (!response.IsSuccessStatusCode) throw HubHttp.Error(response, $"'{repoPath}'");
                // A server that ignores Range sends the whole file again: start over rather than append.
                bool append = have > 0 && response.StatusCode == HttpStatusCode.PartialContent;
                await using var output = new FileStream(partial, append ? FileMode.Append : FileMode.Create, FileAccess.Write);
                await using var input = await response.Content.ReadAsStreamAsync(ct);
                var buffer = new byte[1 << 16];
                long done = append ? have : 0;
                int n;
                while ((n = await input.ReadAsync(buffer, ct)) > 0)
                {
                    await output.WriteAsync(buffer.AsMemory(0, n), ct);
                    done += n;
                    progress?.Report(new HubProgress(repoPath, done, size));
                }
                if (size is { } expected && done < expected) throw new IOException($"connection closed after {done} of {expected} bytes");
                return;
            }
            catch (Exception e) when (e is IOException or HttpRequestException && attempt < maxResumes && !ct.IsCancellationRequested)
            {
                // Keep the partial file: the next attempt resumes from its end with a Range request.
            }
        }
    }

    static string CopyToLocal(string snapshot, string? localDir, IReadOnlyList<string>? include)
    {
        if (localDir is null) return snapshot;
        foreach (string file in Directory.EnumerateFiles(snapshot, "*", SearchOption.AllDirectories))
        {
            string rel = Path.GetRelativePath(snapshot, file).Replace('\\', '/');
            if (include is { Count: > 0 } && !include.Any(p => FnMatch.IsMatch(rel, p))) continue;
            string dest = Path.Combine(localDir, rel);
            Directory.CreateDirectory(Path.GetDirectoryName(dest)!);
            File.Copy(file, dest, overwrite: true);
        }
        return Path.GetFullPath(localDir);
    }
}
