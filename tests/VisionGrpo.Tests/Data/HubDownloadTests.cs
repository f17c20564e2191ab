using System.Text;
using VisionGrpo.Data.Hub;

namespace VisionGrpo.Tests.Data;

public sealed class HubDownloadTests : IDisposable
{
    readonly FakeHub _hub = new();
    readonly string _cache = Path.Combine(Path.GetTempPath(), "visiongrpo-hub-" + Guid.NewGuid().ToString("N"));
    static readonly byte[] Config = Encoding.UTF8.GetBytes("{\"model_type\": \"qwen2_5_vl\"}");
    static readonly byte[] Weights = Enumerable.Range(0, 300_000).Select(i => (byte)(i * 31 % 251)).ToArray();

    public HubDownloadTests()
    {
        _hub.Files["config.json"] = new(Config, Lfs: false);
        _hub.Files["model.safetensors"] = new(Weights, Lfs: true);
        _hub.Files["sub/readme.txt"] = new(Encoding.UTF8.GetBytes("hello"), Lfs: false);
    }

    public void Dispose()
    {
        _hub.Dispose();
        if (Directory.Exists(_cache)) Directory.Delete(_cache, recursive: true);
    }

    HubDownloader Downloader(string? token = null) =>
        new(new HubClient(_hub.Endpoint, token ?? "", retryDelay: TimeSpan.FromMilliseconds(1)), _cache, parallelism: 4);

    static CancellationToken Ct => TestContext.Current.CancellationToken;

    string RepoDir => Path.Combine(_cache, "models--org--tiny");

    [Fact]
    public async Task Repo_info_lists_commit_and_files_with_hashes()
    {
        var info = await new HubClient(_hub.Endpoint, "").GetRepoInfoAsync("org/tiny", RepoType.Model, ct: Ct);
        Assert.Equal(_hub.Commit, info.Sha);
        var lfs = info.Files.Single(f => f.Path == "model.safetensors");
        Assert.Equal(FakeHub.Sha256(Weights), lfs.LfsSha256);
        Assert.Equal(Weights.Length, lfs.Size);
    }

    [Fact]
    public async Task Snapshot_uses_the_huggingface_hub_cache_layout()
    {
        string dir = await Downloader().SnapshotAsync("org/tiny", RepoType.Model, ct: Ct);
        Assert.Equal(Path.Combine(RepoDir, "snapshots", _hub.Commit), dir);
        Assert.Equal(_hub.Commit, File.ReadAllText(Path.Combine(RepoDir, "refs", "main")));
        Assert.Equal(Weights, File.ReadAllBytes(Path.Combine(dir, "model.safetensors")));
        Assert.Equal(Config, File.ReadAllBytes(Path.Combine(dir, "config.json")));
        Assert.Equal("hello", File.ReadAllText(Path.Combine(dir, "sub", "readme.txt")));
        // Blobs are named by ETag: sha256 for LFS files, git sha1 otherwise; snapshot entries are relative links.
        Assert.True(File.Exists(Path.Combine(RepoDir, "blobs", FakeHub.Sha256(Weights))));
        Assert.True(File.Exists(Path.Combine(RepoDir, "blobs", FakeHub.GitSha1(Config))));
        var link = new FileInfo(Path.Combine(dir, "model.safetensors")).LinkTarget;
        Assert.Equal($"../../blobs/{FakeHub.Sha256(Weights)}", link);
        Assert.Equal($"../../../blobs/{FakeHub.GitSha1(Encoding.UTF8.GetBytes("hello"))}", new FileInfo(Path.Combine(dir, "sub", "readme.txt")).LinkTarget);
    }

    [Fact]
    public async Task A_second_download_reuses_the_cache_and_datasets_load_from_snapshots()
    {
        _hub.Files["data/train.jsonl"] = new(Encoding.UTF8.GetBytes("{\"image\": \"img/a.png\", \"problem\": \"p\"}\n"), Lfs: false);
        _hub.Files["img/a.png"] = new(new VisionGrpo.Data.Synthetic.VisualMathGenerator(1).Make(0).Image, Lfs: true);
        string first = await Downloader().SnapshotAsync("org/tiny", RepoType.Model, ct: Ct);
        int requests = _hub.Log.Count;
        string second = await Downloader().SnapshotAsync("org/tiny", RepoType.Model, ct: Ct);
        Assert.Equal(first, second);
        Assert.DoesNotContain(_hub.Log.Skip(requests), l => l.Contains("/cdn/") || l.Contains("/resolve/"));
        // Image paths inside a snapshot are links into ../../blobs: allowed, since that is the cache layout.
        var ds = VisionGrpo.Data.Loading.DatasetLoader.Load(second);
        Assert.Equal(_hub.Files["img/a.png"].Content, ds[0].GetImage("image")!.ReadBytes());
    }

    [Fact]
    public async Task Token_is_sent_to_the_hub_but_not_to_the_cdn_and_401_explains_itself()
    {
        _hub.RequiredToken = "hf_secret_value";
        var e = await Assert.ThrowsAsync<HubException>(() => Downloader("hf_wrong_token").SnapshotAsync("org/tiny", RepoType.Model, ct: Ct));
        Assert.Equal(401, e.StatusCode);
        Assert.Contains("HF_TOKEN", e.Message);
        Assert.DoesNotContain("hf_wrong_token", e.Message);

        string dir = await Downloader("hf_secret_value").SnapshotAsync("org/tiny", RepoType.Model, ct: Ct);
        Assert.Equal(Weights, File.ReadAllBytes(Path.Combine(dir, "model.safetensors")));
        Assert.NotEmpty(_hub.CdnAuthorization);
        Assert.All(_hub.CdnAuthorization, a => Assert.Equal("", a));
    }

    [Fact]
    public async Task Missing_repo_is_a_404_with_a_hint()
    {
        var e = await Assert.ThrowsAsync<HubException>(() => Downloader().SnapshotAsync("org/nope", RepoType.Model, ct: Ct));
        Assert.Equal(404, e.StatusCode);
        Assert.Contains("repo id", e.Message);
    }

    [Fact]
    public async Task Rate_limits_and_server_errors_are_retried()
    {
        _hub.Failures.Enqueue(429);
        _hub.Failures.Enqueue(500);
        _hub.Failures.Enqueue(503);
        string dir = await Downloader().SnapshotAsync("org/tiny", RepoType.Model, include: ["config.json"], ct: Ct);
        Assert.Equal(Config, File.ReadAllBytes(Path.Combine(dir, "config.json")));
        Assert.False(File.Exists(Path.Combine(dir, "model.safetensors")));
    }

    [Fact]
    public async Task Persistent_server_errors_fail_with_the_status()
    {
        for (int i = 0; i < 10; i++) _hub.Failures.Enqueue(502);
        var e = await Assert.ThrowsAsync<HubException>(() => Downloader().SnapshotAsync("org/tiny", RepoType.Model, ct: Ct));
        Assert.Equal(502, e.StatusCode);
    }

    [Fact]
    public async Task A_transfer_cut_half_way_resumes_with_a_range_request()
    {
        _hub.CutFirstCdnTransfer = true;
        string dir = await Downloader().SnapshotAsync("org/tiny", RepoType.Model, include: ["*.safetensors"], ct: Ct);
        Assert.Equal(Weights, File.ReadAllBytes(Path.Combine(dir, "model.safetensors")));
        Assert.Contains(_hub.Log, l => l.Contains("/cdn/") && l.EndsWith($"bytes={Weights.Length / 2}-"));
        Assert.Empty(Directory.GetFiles(Path.Combine(RepoDir, "blobs"), "*.incomplete"));
    }

    [Fact]
    public async Task Corrupt_content_fails_the_sha256_check_and_leaves_no_blob()
    {
        _hub.CorruptCdn = true;
        var e = await Assert.ThrowsAsync<HubException>(() => Downloader().SnapshotAsync("org/tiny", RepoType.Model, include: ["*.safetensors"], ct: Ct));
        Assert.Contains("hash", e.Message);
        Assert.Empty(Directory.GetFiles(Path.Combine(RepoDir, "blobs")));
    }

    [Fact]
    public async Task Offline_mode_uses_the_cache_only()
    {
        var offline = await Assert.ThrowsAsync<HubException>(() => Downloader().SnapshotAsync("org/tiny", RepoType.Model, offline: true, ct: Ct));
        Assert.Contains("HF_HUB_OFFLINE", offline.Message);

        string online = await Downloader().SnapshotAsync("org/tiny", RepoType.Model, ct: Ct);
        _hub.Dispose();
        string cached = await Downloader().SnapshotAsync("org/tiny", RepoType.Model, offline: true, ct: Ct);
        Assert.Equal(online, cached);
        Assert.Equal(Weights, File.ReadAllBytes(Path.Combine(cached, "model.safetensors")));
        // The Hub being unreachable also falls back to the cache.
        Assert.Equal(online, await Downloader().SnapshotAsync("org/tiny", RepoType.Model, ct: Ct));
    }

    [Fact]
    public async Task Dataset_repos_use_their_prefix_and_local_dir_gets_plain_files()
    {
        _hub.ApiKind = "datasets";
        string local = Path.Combine(_cache, "local");
        string dir = await Downloader().SnapshotAsync("org/tiny", RepoType.Dataset, include: ["sub/*"], localDir: local, ct: Ct);
        Assert.Equal(Path.GetFullPath(local), dir);
        Assert.Equal("hello", File.ReadAllText(Path.Combine(local, "sub", "readme.txt")));
        Assert.Null(new FileInfo(Path.Combine(local, "sub", "readme.txt")).LinkTarget);
        Assert.True(Directory.Exists(Path.Combine(_cache, "datasets--org--tiny", "snapshots", _hub.Commit)));
    }

    [Theory]
    [InlineData("../etc")]
    [InlineData("org/../../x")]
    [InlineData("a/b/c")]
    [InlineData("")]
    public void Invalid_repo_ids_are_rejected(string id) =>
        Assert.Throws<ArgumentException>(() => HubClient.ValidateRepoId(id));

    [Fact]
    public void Cache_paths_follow_the_environment_rules()
    {
        Assert.Equal("datasets--lmms-lab--multimodal-open-r1-8k-verified",
            HfCachePaths.RepoFolderName("lmms-lab/multimodal-open-r1-8k-verified", RepoType.Dataset));
        Assert.Equal("models--Qwen--Qwen2.5-VL-3B-Instruct", HfCachePaths.RepoFolderName("Qwen/Qwen2.5-VL-3B-Instruct", RepoType.Model));
    }
}
