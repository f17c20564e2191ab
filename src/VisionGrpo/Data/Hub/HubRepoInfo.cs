namespace VisionGrpo.Data.Hub;

/// <summary>One file of a repo as the Hub API lists it.</summary>
/// <param name="Path">Path inside the repo (<c>rfilename</c>).</param>
/// <param name="Size">Size in bytes, when listed.</param>
/// <param name="BlobId">Git blob id (sha1) of the file or of its LFS pointer.</param>
/// <param name="LfsSha256">sha256 of the content for LFS files.</param>
public sealed record HubFile(string Path, long? Size, string? BlobId, string? LfsSha256);

/// <summary>A repo at a resolved commit: <c>GET /api/{type}s/{repo}/revision/{rev}</c>.</summary>
/// <param name="RepoId">org/name.</param>
/// <param name="Type">Model, dataset or space.</param>
/// <param name="Sha">The commit the revision resolved to.</param>
/// <param name="Files">The repo's files (<c>siblings</c>).</param>
public sealed record HubRepoInfo(string RepoId, RepoType Type, string Sha, IReadOnlyList<HubFile> Files);
