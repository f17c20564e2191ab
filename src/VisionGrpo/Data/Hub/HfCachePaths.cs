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

    static string ExpandUser(string path) =>
        path == "~" || path.StartsWith("~/", StringComparison.Ordinal)
            ? Path.Combine(Environment.GetFolderPath(Environment.SpecialFolder.UserProfile), path.TrimStart('~').TrimStart('/'))
            : path;
}
