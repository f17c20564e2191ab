namespace VisionGrpo.Data.Hub;

/// <summary>The kind of Hub repository (it changes URLs and cache folder names).</summary>
public enum RepoType
{
    /// <summary>A model repo (<c>/api/models</c>, no URL prefix).</summary>
    Model,

    /// <summary>A dataset repo (<c>/api/datasets</c>, <c>datasets/</c> URL prefix).</summary>
    Dataset,

    /// <summary>A Space repo.</summary>
    Space,
}

/// <summary>URL and cache spellings of <see cref="RepoType"/>.</summary>
internal static class RepoTypeExtensions
{
    /// <summary><c>models</c>, <c>datasets</c>, <c>spaces</c>.</summary>
    public static string Plural(this RepoType t) => t switch
    {
        RepoType.Dataset => "datasets",
        RepoType.Space => "spaces",
        _ => "models",
    };

    /// <summary>The prefix of <c>resolve</c> URLs: empty for models, <c>datasets/</c>, <c>spaces/</c>.</summary>
    public static string UrlPrefix(this RepoType t) => t == RepoType.Model ? "" : t.Plural() + "/";

    /// <summary>Parses <c>model</c>, <c>dataset</c> or <c>space</c> (as <c>--repo-type</c> takes them).</summary>
    /// <exception cref="ArgumentException">Anything else.</exception>
    public static RepoType Parse(string text) => text.Trim().ToLowerInvariant() switch
    {
        "model" or "models" => RepoType.Model,
        "dataset" or "datasets" => RepoType.Dataset,
        "space" or "spaces" => RepoType.Space,
        _ => throw new ArgumentException($"repo type '{text}' is not one of model, dataset, space"),
    };
}
