namespace VisionGrpo.Data.Hub;

/// <summary>The Hugging Face cache locations, resolved exactly as huggingface_hub does from the environment.</summary>
public static class HfCachePaths
{
    /// <summary><c>$HF_HOME</c>, else <c>$XDG_CACHE_HOME/huggingface</c>, else <c>~/.cache/huggingface</c>.</summary>
    public static string Home()
    {
        string? home = Environment.GetEnvironmentVariable("HF_HOME");
        if (!string.IsNullOrEmpty(home)) return ExpandUser(home);
        string? xdg = Environment.GetEnvironmentVariable("XDG_CACHE_HOME");
        string cache = !string.IsNullOrEmpty(xdg)
            ? ExpandUser(xdg)
            : Path.Combine(Environment.GetFolderPath(Environment.SpecialFolder.UserProfile), ".cache");
        return Path.Combine(cache, "huggingface");
    }

    /// <summary><c>$HF_HUB_CACHE</c> (or the legacy <c>$HUGGINGFACE_HUB_CACHE</c>), else <c>Home()/hub</c>.</summary>
    public static string HubCache()
    {
        foreach (var name in new[] { "HF_HUB_CACHE", "HUGGINGFACE_HUB_CACHE" })
        {
            string? v = Environment.GetEnvironmentVariable(name);
            if (!string.IsNullOrEmpty(v)) return ExpandUser(v);
        }
        return Path.Combine(Home(), "hub");
    }

    /// <summary>The Hub URL: <c>$HF_ENDPOINT</c>, else <c>https://huggingface.co</c> (no trailing slash).</summary>
    public static string Endpoint()
    {
        string? e = Environment.GetEnvironmentVariable("HF_ENDPOINT");
        return (string.IsNullOrWhiteSpace(e) ? "https://huggingface.co" : e.Trim()).TrimEnd('/');
    }

    /// <summary><c>$HF_TOKEN</c> (or the legacy <c>$HUGGING_FACE_HUB_TOKEN</c>), else the token file <c>Home()/token</c>; null if none.</summary>
    public static string? Token()
    {
        foreach (var name in new[] { "HF_TOKEN", "HUGGING_FACE_HUB_TOKEN" })
        {
            string? v = Environment.GetEnvironmentVariable(name);
            if (!string.IsNullOrWhiteSpace(v)) return v.Trim();
        }
        string file = Environment.GetEnvironmentVariable("HF_TOKEN_PATH") is { Length: > 0 } p ? ExpandUser(p) : Path.Combine(Home(), "token");
        return File.Exists(file) && File.ReadAllText(file).Trim() is { Length: > 0 } t ? t : null;
    }

    /// <summary><c>$HF_HUB_OFFLINE</c> is 1/ON/YES/TRUE: only the cache may be used.</summary>
    public static bool IsOffline() =>
        Environment.GetEnvironmentVariable("HF_HUB_OFFLINE")?.Trim().ToUpperInvariant() is "1" or "ON" or "YES" or "TRUE";

    /// <summary>The cache folder of a repo: <c>models--org--name</c>, <c>datasets--org--name</c>, <c>spaces--org--name</c>.</summary>
    internal static string RepoFolderName(string repoId, RepoType type) =>
        $"{type.Plural()}--{repoId.Replace("/", "--", StringComparison.Ordinal)}";

    static string ExpandUser(string path) =>
        path == "~" || path.StartsWith("~/", StringComparison.Ordinal)
            ? Path.Combine(Environment.GetFolderPath(Environment.SpecialFolder.UserProfile), path.TrimStart('~').TrimStart('/'))
            : path;
}
