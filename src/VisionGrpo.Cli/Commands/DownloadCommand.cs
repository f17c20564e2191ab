using System.CommandLine;
using Spectre.Console;
using VisionGrpo.Data.Hub;

namespace VisionGrpo.Cli.Commands;

/// <summary><c>visiongrpo download</c>: fetches a Hub repo into the shared huggingface_hub cache (parallel, verified, resumable).</summary>
internal static class DownloadCommand
{
    public static Command Create()
    {
        var repo = new Argument<string>("repo-id") { Description = "Hub repo id, e.g. Qwen/Qwen2.5-VL-3B-Instruct." };
        var type = new Option<string>("--repo-type") { Description = "model or dataset.", DefaultValueFactory = _ => "model" };
        type.AcceptOnlyFromAmong("model", "dataset", "space");
        var revision = new Option<string>("--revision") { Description = "Branch, tag or commit.", DefaultValueFactory = _ => "main" };
        var include = new Option<string[]>("--include") { Description = "Only files matching these patterns (fnmatch, e.g. \"*.json\" \"*.safetensors\").", AllowMultipleArgumentsPerToken = true };
        var localDir = new Option<string?>("--local-dir") { Description = "Also copy the files into this folder and print it." };
        var command = new Command("download", "Download a model or dataset repo from the Hugging Face Hub into the shared HF cache (HF_HOME, HF_HUB_CACHE, HF_TOKEN, HF_HUB_OFFLINE, HF_ENDPOINT).")
        {
            repo, type, revision, include, localDir,
        };
        command.SetAction(parse =>
        {
            var downloader = new HubDownloader(new HubClient());
            string path = "";
            AnsiConsole.Progress()
                .Columns(new TaskDescriptionColumn(), new ProgressBarColumn(), new PercentageColumn(), new DownloadedColumn(), new TransferSpeedColumn())
                .Start(ctx =>
                {
                    var tasks = new Dictionary<string, ProgressTask>();
                    var progress = new SyncProgress(p =>
                    {
                        lock (tasks)
                        {
                            if (!tasks.TryGetValue(p.File, out var t))
                                tasks[p.File] = t = ctx.AddTask(Markup.Escape(p.File), maxValue: Math.Max(1, p.Total ?? p.Done));
                            if (p.Total is { } total) t.MaxValue = Math.Max(1, total);
                            t.Value = p.Done;
                        }
                    });
                    path = downloader.SnapshotAsync(parse.GetValue(repo)!, RepoTypeExtensions.Parse(parse.GetValue(type)!), parse.GetValue(revision)!,
                        parse.GetValue(include) ?? [], parse.GetValue(localDir), progress: progress).GetAwaiter().GetResult();
                });
            Console.Out.WriteLine(path);
            return 0;
        });
        return command;
    }

    /// <summary>Reports on the calling thread (Progress&lt;T&gt; would post to the thread pool and arrive after the bars are done).</summary>
    sealed class SyncProgress(Action<HubProgress> report) : IProgress<HubProgress>
    {
        public void Report(HubProgress value) => report(value);
    }
}
