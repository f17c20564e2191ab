using System.Text.Json.Nodes;

namespace VisionGrpo.Data.Hub;

/// <summary>Hub metadata calls: repo info (commit + file list) and per-file metadata (HEAD on <c>resolve</c>).</summary>
public sealed class HubClient
{
    readonly HubHttp _http;

    /// <summary>Creates a client for <paramref name="endpoint"/> (default <c>HF_ENDPOINT</c>) with <paramref name="token"/> (default <c>HF_TOKEN</c>).</summary>
    public HubClient(string? endpoint = null, string? token = null, HttpClient? http = null, TimeSpan? retryDelay = null)
    {
        Endpoint = (endpoint ?? HfCachePaths.Endpoint()).TrimEnd('/');
        http ??= new HttpClient(new SocketsHttpHandler { AllowAutoRedirect = false, AutomaticDecompression = System.Net.DecompressionMethods.None });
        http.DefaultRequestHeaders.UserAgent.ParseAdd("visiongrpo/0.1");
        _http = new HubHttp(http, token ?? HfCachePaths.Token(), baseDelay: retryDelay);
    }

    /// <summary>The Hub base URL.</summary>
    public string Endpoint { get; }

    internal HubHttp Http => _http;

    /// <summary>Repo info at <paramref name="revision"/>: the commit sha and every file with sizes and hashes.</summary>
    /// <exception cref="HubException">401/403/404/429/5xx, with a hint.</exception>
    public async Task<HubRepoInfo> GetRepoInfoAsync(string repoId, RepoType type, string revision = "main", CancellationToken ct = default)
    {
        ValidateRepoId(repoId);
        var url = new Uri($"{Endpoint}/api/{type.Plural()}/{repoId}/revision/{Uri.EscapeDataString(revision)}?blobs=true");
        using var response = await _http.SendAsync(HttpMethod.Get, url, null, ct);
        if (!response.IsSuccessStatusCode) throw HubHttp.Error(response, $"{type.ToString().ToLowerInvariant()} '{repoId}' revision '{revision}'");
        var json = JsonNode.Parse(await response.Content.ReadAsStringAsync(ct)) as JsonObject
            ?? throw new HubException($"'{repoId}': the Hub sent repo info that is not a JSON object");
        string sha = (string?)json["sha"] ?? throw new HubException($"'{repoId}': repo info has no commit sha");
        var files = (json["siblings"] as JsonArray ?? []).OfType<JsonObject>().Select(s => new HubFile(
            (string)s["rfilename"]!, (long?)s["size"], (string?)s["blobId"], (string?)s["lfs"]?["sha256"])).ToList();
        return new HubRepoInfo(repoId, type, sha, files);
    }

    /// <summary>The URL of a file at a commit: <c>{endpoint}/{prefix}{repo}/resolve/{rev}/{path}</c>.</summary>
    public Uri ResolveUrl(string repoId, RepoType type, string revision, string path) =>
        new($"{Endpoint}/{type.UrlPrefix()}{repoId}/resolve/{Uri.EscapeDataString(revision)}/{string.Join('/', path.Split('/').Select(Uri.EscapeDataString))}");

    /// <summary>Checks <c>org/name</c> (or a bare <c>name</c>) so an id can never turn into a path outside the cache.</summary>
    /// <exception cref="ArgumentException">Empty parts, <c>..</c>, or characters the Hub does not allow.</exception>
    internal static void ValidateRepoId(string repoId)
    {
        var parts = repoId.Split('/');
        bool ok = parts.Length is 1 or 2 && parts.All(p => p.Length > 0 && p != "." && p != ".." && !p.StartsWith('-')
            && p.All(c => char.IsAsciiLetterOrDigit(c) || c is '-' or '_' or '.'));
        if (!ok) throw new ArgumentException($"'{repoId}' is not a valid repo id (expected org/name with letters, digits, '-', '_', '.')");
    }
}
