using System.Security.Cryptography;
using System.Text;

namespace VisionGrpo.Data.Hub;

/// <summary>Checks a downloaded blob against its etag: sha256 for LFS files (64 hex), git blob sha1 for others (40 hex).</summary>
internal static class BlobVerifier
{
    /// <summary>Throws when the size or the hash does not match; unknown etag forms are only size-checked.</summary>
    public static void Verify(string file, string repoPath, string etag, long? expectedSize)
    {
        long size = new FileInfo(file).Length;
        if (expectedSize is { } e && e != size)
            throw new HubException($"'{repoPath}': downloaded {size} bytes, expected {e}; the partial file was removed, retry the download");
        string? actual = etag.Length switch
        {
            64 => Hex(SHA256.HashData(File.ReadAllBytes(file))),
            40 => GitBlobSha1(file, size),
            _ => null,
        };
        if (actual is not null && !actual.Equals(etag, StringComparison.OrdinalIgnoreCase))
            throw new HubException($"'{repoPath}': content hash {actual} does not match the Hub's {etag}; the file was removed, retry the download");
    }

    static string GitBlobSha1(string file, long size)
    {
        using var sha = IncrementalHash.CreateHash(HashAlgorithmName.SHA1);
        sha.AppendData(Encoding.ASCII.GetBytes($"blob {size}\0"));
        using var stream = File.OpenRead(file);
        var buffer = new byte[1 << 16];
        int n;
        while ((n = stream.Read(buffer)) > 0) sha.AppendData(buffer, 0, n);
        return Hex(sha.GetHashAndReset());
    }

    static string Hex(byte[] b) => Convert.ToHexStringLower(b);
}
