using System.Text.Json;
using VisionGrpo.Tests.Data;

namespace VisionGrpo.Tests.Cli;

/// <summary>
/// The built <c>visiongrpo</c> run from a temp folder outside the repository: a model fetched by repo id from a
/// loopback Hub into HF_HOME (snapshot files are links into blobs/) drives generate, train, lora merge and eval;
/// and a text-only GRPO run on a Qwen2 model made by <c>model init</c>.
/// </summary>
public sealed class OutsideRepoCliTests : IDisposable
{
    readonly string _dir = Path.Combine(Path.GetTempPath(), "vg-outside-" + Guid.NewGuid().ToString("N"));
    static string Demo => Path.Combine(TestPaths.RepoRoot, "models", "visiongrpo-demo");

    public OutsideRepoCliTests() => Directory.CreateDirectory(_dir);

    public void Dispose() => Directory.Delete(_dir, recursive: true);

    static string Checked((int Code, string Out, string Err) run)
    {
        Assert.True(run.Code == 0, $"exit {run.Code}: {run.Err}\n{run.Out}");
        Assert.Equal("", run.Err.Trim());
        return run.Out;
    }

    static string Ids(string json) => JsonDocument.Parse(json).RootElement.GetProperty("ids").GetRawText();

    /// <summary>Serves the demo model as org/demo from a loopback Hub and downloads it into HF_HOME with `visiongrpo download`.</summary>
    Dictionary<string, string> DownloadDemo(FakeHub hub)
    {
        HubLayout.Serve(hub, Demo, "org/demo");
        var env = new Dictionary<string, string> { ["HF_HOME"] = Path.Combine(_dir, "hf"), ["HF_ENDPOINT"] = hub.Endpoint };
        File.Copy(Path.Combine(TestPaths.RepoRoot, "docs", "images", "demo_three_dots.png"), Path.Combine(_dir, "dots.png"));
        string snapshot = Checked(CliProcess.Run(_dir, env, "download", "org/demo")).Trim().Split('\n')[^1];
        Assert.Equal(Path.Combine(_dir, "hf", "hub", "models--org--demo", "snapshots", hub.Commit), snapshot);
        Assert.StartsWith("../../blobs/", new FileInfo(Path.Combine(snapshot, "model.safetensors")).LinkTarget);
        return env;
    }

    [Fact]
    public void A_model_downloaded_from_a_loopback_hub_generates_by_repo_id_like_the_plain_folder()
    {
        using var hub = new FakeHub();
        var env = DownloadDemo(hub);
        string[] prompt = ["--image", "dots.png", "--prompt", "How many dots are there in the image?", "--max-new-tokens", "24", "--temperature", "0"];
        string text = Checked(CliProcess.Run(_dir, env, ["generate", "--model", "org/demo", "--device", "cpu", .. prompt]));
        string byId = Checked(CliProcess.Run(_dir, env, ["generate", "--model", "org/demo", "--device", "cpu", "--json", .. prompt]));
        string byFolder = Checked(CliProcess.Run(_dir, env, ["generate", "--model", Demo, "--json", .. prompt]));
        Assert.Equal(Ids(byFolder), Ids(byId));
        string completion = JsonDocument.Parse(byId).RootElement.GetProperty("text").GetString()!;
        Assert.Contains("<answer>", completion);
        Assert.StartsWith(completion, text);
        Assert.Contains("inference time: ", text);
    }

    [Fact]
    [Trait("Category", "Slow")]
    public void A_model_downloaded_from_a_loopback_hub_trains_merges_and_evaluates_by_repo_id()
    {
        using var hub = new FakeHub();
        var env = DownloadDemo(hub);
        File.WriteAllText(Path.Combine(_dir, "train.jsonl"), string.Concat(Enumerable.Repeat(
            """{"image": "dots.png", "problem": "How many dots are there in the image?", "solution": "$3$"}""" + "\n", 4)));
        Checked(CliProcess.Run(_dir, env, "train", "--device", "cpu", "--set", "model_name_or_path=org/demo", "--set", "dataset_name=train.jsonl",
            "--set", "output_dir=out", "--set", "max_steps=1", "--set", "per_device_train_batch_size=2", "--set", "num_generations=2",
            "--set", "max_completion_length=8", "--set", "bf16=false", "--set", "report_to=[none]", "--set", "system_prompt="));
        Assert.True(File.Exists(Path.Combine(_dir, "out", "adapter_model.safetensors")));

        Checked(CliProcess.Run(_dir, env, "lora", "merge", "--model", "org/demo", "--adapter", "out", "--output", "merged", "--device", "cpu"));
        Assert.True(File.Exists(Path.Combine(_dir, "merged", "model.safetensors")));
        // Processor files copied out of the snapshot are real files with the blobs' content, not copies of the links.
        foreach (string copied in new[] { Path.Combine(_dir, "out", "tokenizer.json"), Path.Combine(_dir, "merged", "tokenizer.json") })
        {
            Assert.Null(new FileInfo(copied).LinkTarget);
            Assert.Equal(File.ReadAllBytes(Path.Combine(Demo, "tokenizer.json")), File.ReadAllBytes(copied));
        }

        string eval = Checked(CliProcess.Run(_dir, env, "eval", "--model", "org/demo", "--adapter", "out", "--dataset", "train.jsonl",
            "--split", "train", "--limit", "2", "--max-new-tokens", "8", "--reward-funcs", "format,accuracy", "--device", "cpu", "--json"));
        Assert.Equal(2, JsonDocument.Parse(eval).RootElement.GetProperty("rows").GetInt32());
    }

    [Fact]
    public void Text_only_grpo_on_a_qwen2_model_made_by_model_init_writes_metrics()
    {
        File.WriteAllText(Path.Combine(_dir, "qwen2.json"), TinyVlmFolder.TextOnlyConfig);
        Checked(CliProcess.Run(_dir, null, "model", "init", "--config", "qwen2.json", "--tokenizer", Demo, "--output", "qwen2"));
        File.WriteAllText(Path.Combine(_dir, "text.jsonl"), string.Concat(Enumerable.Range(0, 6).Select(i =>
            $$"""{"problem": "What is {{i}} + 1?", "solution": "${{i + 1}}$"}""" + "\n")));
        string output = Checked(CliProcess.Run(_dir, null, "train", "--device", "cpu", "--set", "model_name_or_path=qwen2",
            "--set", "dataset_name=text.jsonl", "--set", "output_dir=out", "--set", "max_steps=2", "--set", "per_device_train_batch_size=4",
            "--set", "num_generations=2", "--set", "max_completion_length=6", "--set", "logging_steps=1", "--set", "bf16=false",
            "--set", "report_to=[none]", "--set", "log_completions=true"));
        Assert.Contains("'train_runtime': ", output);
        var metrics = File.ReadAllLines(Path.Combine(_dir, "out", "metrics.jsonl"));
        Assert.Equal(3, metrics.Length);
        Assert.True(File.Exists(Path.Combine(_dir, "out", "completions", "completions_00002.parquet")));
        Assert.Equal(8, File.ReadAllLines(Path.Combine(_dir, "out", "completions.jsonl")).Length);
    }
}
