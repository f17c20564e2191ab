using System.Collections.Concurrent;
using System.Net;
using System.Net.Sockets;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json.Nodes;

namespace VisionGrpo.Tests.Data;

/// <summary>
/// An in-process loopback server that behaves like the Hub for the calls VisionGrpo makes: repo info with siblings,
/// <c>resolve</c> with ETag/X-Repo-Commit headers, LFS files redirected to a CDN host (localhost vs 127.0.0.1),
/// Range requests, and injectable failures (401 for private repos, 429/5xx, a transfer cut half-way, corrupt bytes).
/// </summary>
internal sealed class FakeHub : IDisposable
{
    readonly HttpListener _listener = new();
    readonly Task _loop;

    public sealed record RepoFile(byte[] Content, bool Lfs);

    public FakeHub()
    {
        var probe = new TcpListener(IPAddress.Loopback, 0);
        probe.Start();
        Port = ((IPEndPoint)probe.LocalEndpoint).Port;
        probe.Stop();
        _listener.Prefixes.Add($"http://127.0.0.1:{Port}/");
        _listener.Prefixes.Add($"http://localhost:{Port}/");
        _listener.Start();
        _loop = Task.Run(LoopAsync);
    }

    public int Port { get; }
    public string Endpoint => $"http://127.0.0.1:{Port}";
    public string Commit { get; set; } = "0123456789abcdef0123456789abcdef01234567";
    public Dictionary<string, RepoFile> Files { get; } = new();
    public string RepoId { get; set; } = "org/tiny";
    public string ApiKind { get; set; } = "models";
    public string? RequiredToken { get; set; }
    /// <summary>Status codes returned (once each, in order) before any normal answer.</summary>
    public ConcurrentQueue<int> Failures { get; } = new();
    public bool CutFirstCdnTransfer { get; set; }
    public bool CorruptCdn { get; set; }
    public ConcurrentQueue<string> Log { get; } = new();
    public ConcurrentQueue<string> CdnAuthorization { get; } = new();

    public static string Sha256(byte[] b) => Convert.ToHexStringLower(SHA256.HashData(b));
    public static string GitSha1(byte[] b) =>
        Convert.ToHexStringLower(SHA1.HashData([.. Encoding.ASCII.GetBytes($"blob {b.Length}\0"), .. b]));

    async Task LoopAsync()
    {
        while (_listener.IsListening)
        {
            HttpListenerContext ctx;
            try { ctx = await _listener.GetContextAsync(); }
            catch (Exception e) when (e is HttpListenerException or ObjectDisposedException or InvalidOperationException) { return; }
            _ = Task.Run(() => Handle(ctx));
        }
    }

    void Handle(HttpListenerContext ctx)
    {
        var req = ctx.Request;
        var res = ctx.Response;
        string path = Uri.UnescapeDataString(req.Url!.AbsolutePath);
        Log.Enqueue($"{req.HttpMethod} {req.Url.Host} {path} {req.Headers["Range"]}");
        try
        {
            if (path.StartsWith("/cdn/", StringComparison.Ordinal)) { Cdn(ctx, path[5..]); return; }
            if (Failures.TryDequeue(out int fail))
            {
                res.StatusCode = fail;
                if (fail == 429) res.Headers["Retry-After"] = "0";
                res.Close();
                return;
            }
            if (RequiredToken is not null && req.Headers["Authorization"] != $"Bearer {RequiredToken}")
            {
                res.StatusCode = 401;
                res.Close();
                return;
            }
            string prefix = ApiKind == "models" ? "" : ApiKind + "/";
            if (path == $"/api/{ApiKind}/{RepoId}/revision/main" || path == $"/api/{ApiKind}/{RepoId}/revision/{Commit}") { Info(res); return; }
            string resolve = $"/{prefix}{RepoId}/resolve/";
            if (path.StartsWith(resolve, StringComparison.Ordinal))
            {
                string rest = path[resolve.Length..];
                int slash = rest.IndexOf('/');
                if (slash > 0 && rest[..slash] is var rev && (rev == Commit || rev == "main") && Files.TryGetValue(rest[(slash + 1)..], out var file))
                {
                    Resolve(ctx, file);
                    return;
                }
            }
            res.StatusCode = 404;
            res.Close();
        }
        catch (Exception e) when (e is HttpListenerException or IOException or ObjectDisposedException) { }
    }

    void Info(HttpListenerResponse res)
    {
        var siblings = new JsonArray();
        foreach (var (name, f) in Files)
        {
            var s = new JsonObject { ["rfilename"] = name, ["size"] = f.Content.Length, ["blobId"] = GitSha1(f.Content) };
            if (f.Lfs) s["lfs"] = new JsonObject { ["sha256"] = Sha256(f.Content), ["size"] = f.Content.Length };
            siblings.Add(s);
        }
        byte[] body = Encoding.UTF8.GetBytes(new JsonObject { ["id"] = RepoId, ["sha"] = Commit, ["siblings"] = siblings }.ToJsonString());
        res.ContentType = "application/json";
        res.ContentLength64 = body.Length;
        res.OutputStream.Write(body);
        res.Close();
    }

    void Resolve(HttpListenerContext ctx, RepoFile file)
    {
        var res = ctx.Response;
        res.Headers["X-Repo-Commit"] = Commit;
        if (file.Lfs)
        {
            string sha = Sha256(file.Content);
            res.Headers["X-Linked-Etag"] = $"\"{sha}\"";
            res.Headers["X-Linked-Size"] = file.Content.Length.ToString();
            res.Headers["ETag"] = $"\"{GitSha1(file.Content)}\"";
            res.StatusCode = 302;
            // A different host name: the client must not forward the bearer token there.
            res.RedirectLocation = $"http://localhost:{Port}/cdn/{sha}";
            res.Close();
            return;
        }
        res.Headers["ETag"] = $"\"{GitSha1(file.Content)}\"";
        res.ContentLength64 = file.Content.Length;
        if (ctx.Request.HttpMethod != "HEAD") res.OutputStream.Write(file.Content);
        res.Close();
    }

    void Cdn(HttpListenerContext ctx, string sha)
    {
        var res = ctx.Response;
        CdnAuthorization.Enqueue(ctx.Request.Headers["Authorization"] ?? "");
        var file = Files.Values.FirstOrDefault(f => Sha256(f.Content) == sha);
        if (file is null) { res.StatusCode = 404; res.Close(); return; }
        byte[] content = CorruptCdn ? file.Content.Select(b => (byte)(b ^ 0xFF)).ToArray() : file.Content;
        long from = 0;
        if (ctx.Request.Headers["Range"] is { } range && range.StartsWith("bytes=", StringComparison.Ordinal))
        {
            from = long.Parse(range[6..].TrimEnd('-').Split('-')[0]);
            res.StatusCode = 206;
            res.Headers["Content-Range"] = $"bytes {from}-{content.Length - 1}/{content.Length}";
        }
        res.ContentLength64 = content.Length - from;
        if (ctx.Request.HttpMethod == "HEAD") { res.Close(); return; }
        if (CutFirstCdnTransfer && from == 0)
        {
            CutFirstCdnTransfer = false;
            res.OutputStream.Write(content, 0, content.Length / 2);
            res.OutputStream.Flush();
            res.Abort();
            return;
        }
        res.OutputStream.Write(content, (int)from, content.Length - (int)from);
        res.Close();
    }

    public void Dispose()
    {
        if (!_listener.IsListening) return;
        _listener.Stop();
        _listener.Close();
        try { _loop.Wait(TimeSpan.FromSeconds(2)); } catch (AggregateException) { }
    }
}
