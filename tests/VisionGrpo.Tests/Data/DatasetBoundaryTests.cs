using System.Runtime.InteropServices;
using VisionGrpo.Data;
using VisionGrpo.Data.Loading;
using VisionGrpo.Data.Synthetic;
using VisionGrpo.Data.Validation;

namespace VisionGrpo.Tests.Data;

/// <summary>
/// The dataset folder is a boundary (issue 18, docs/reliability.md): directory links out of it, links to /dev, FIFOs
/// and link loops are refused or skipped with the reason, for image paths in rows and for data-file discovery;
/// links inside the folder and the Hub cache layout keep working.
/// </summary>
public sealed class DatasetBoundaryTests : IDisposable
{
    readonly string _root = Path.Combine(Path.GetTempPath(), "vg-boundary-" + Guid.NewGuid().ToString("N"));
    string Data => Path.Combine(_root, "data");
    string Outside => Path.Combine(_root, "outside");
    static readonly byte[] Png = new VisualMathGenerator(1).Make(0).Image;

    public DatasetBoundaryTests()
    {
        Directory.CreateDirectory(Path.Combine(Data, "imgs"));
        Directory.CreateDirectory(Outside);
        File.WriteAllBytes(Path.Combine(Data, "imgs", "ok.png"), Png);
        File.WriteAllBytes(Path.Combine(Outside, "secret.png"), Png);
    }

    public void Dispose() => Directory.Delete(_root, recursive: true);

    [DllImport("libc", EntryPoint = "mkfifo")]
    static extern int MkFifo(string path, uint mode);

    string Rows(string file, params string[] images)
    {
        string path = Path.Combine(Data, file);
        File.WriteAllLines(path, images.Select((img, i) => $"{{\"image\": \"{img}\", \"problem\": \"p{i}\"}}"));
        return path;
    }

    // Row validation as the recipe loader runs it, with a deadline: a FIFO or /dev/zero must not hang it.
    static List<BadRow> BadRows(string datasetFile) => Within(() =>
    {
        var ds = DatasetLoader.Load(datasetFile);
        var report = new BadRowReport();
        _ = RowValidator.ForDataset(ds, "problem").Filter(ds, BadRowPolicy.Skip, report).ToList();
        return report.Examples.ToList();
    }, "row validation hung");

    /// <summary>Runs <paramref name="work"/> on a background thread and fails the test when it takes over 30 s.</summary>
    static T Within<T>(Func<T> work, string failure)
    {
        T result = default!;
        Exception? error = null;
        var thread = new Thread(() =>
        {
            try { result = work(); }
            catch (Exception e) { error = e; }
        }) { IsBackground = true };
        thread.Start();
        Assert.True(thread.Join(TimeSpan.FromSeconds(30)), failure);
        if (error is not null) System.Runtime.ExceptionServices.ExceptionDispatchInfo.Throw(error);
        return result;
    }

    [Fact]
    public void Image_paths_through_a_directory_link_out_a_dev_link_or_a_fifo_are_bad_rows_with_the_reason()
    {
        Directory.CreateSymbolicLink(Path.Combine(Data, "imgs", "dirlink"), Outside);
        Directory.CreateSymbolicLink(Path.Combine(Data, "imgs", "devdir"), "/dev");
        Assert.Equal(0, MkFifo(Path.Combine(Data, "imgs", "x.png"), Convert.ToUInt32("644", 8)));
        // The dataset is the single file, so no folder walk runs: each row's path is checked when it is read.
        string rows = Rows("train.jsonl", "imgs/ok.png", "imgs/dirlink/secret.png", "imgs/devdir/zero", "imgs/x.png");

        var bad = BadRows(rows);
        Assert.Equal([1L, 2L, 3L], bad.Select(b => b.Source.RowInShard));
        Assert.Contains("escapes the dataset folder", bad[0].Reason);
        Assert.Contains("escapes the dataset folder", bad[1].Reason);
        Assert.Contains("/dev/zero", bad[1].Reason);
        Assert.Contains("not a regular file", bad[2].Reason);

        var ds = DatasetLoader.Load(rows);
        var e = Assert.Throws<InvalidDataException>(() =>
            RowValidator.ForDataset(ds, "problem").Filter(ds, BadRowPolicy.Fail, new BadRowReport()).ToList());
        Assert.Contains("row 1", e.Message);
        Assert.Contains("escapes the dataset folder", e.Message);
    }

    [Fact]
    public void File_links_inside_the_folder_keep_working()
    {
        File.CreateSymbolicLink(Path.Combine(Data, "imgs", "alias.png"), "ok.png");
        Directory.CreateSymbolicLink(Path.Combine(Data, "same"), "imgs");
        Assert.Empty(BadRows(Rows("train.jsonl", "imgs/alias.png", "same/ok.png")));
    }

    [Fact]
    public void Discovery_refuses_links_out_of_the_folder_and_lists_a_looping_folder_once()
    {
        Rows("train.jsonl", "imgs/ok.png");
        Directory.CreateSymbolicLink(Path.Combine(Data, "imgs", "loop"), "..");
        Assert.Equal(1, DatasetLoader.Load(Data).Count); // not 41 rows through imgs/loop/imgs/loop/…

        File.WriteAllLines(Path.Combine(Outside, "more.jsonl"), ["{\"image\": null, \"problem\": \"x\"}"]);
        string ext = Path.Combine(Data, "ext");
        Directory.CreateSymbolicLink(ext, Outside);
        var e = Assert.Throws<InvalidDataException>(() => DatasetLoader.Load(Data));
        Assert.Contains("'ext'", e.Message);
        Assert.Contains("outside the dataset folder", e.Message);
        Directory.Delete(ext);

        // A link to / must be refused at once, not crawl the file system.
        Directory.CreateSymbolicLink(Path.Combine(Data, "r"), "/");
        var refused = Within(() => Assert.Throws<InvalidDataException>(() => DatasetLoader.Load(Data)), "discovery crawled the file system");
        Assert.Contains("'r'", refused.Message);
    }

    [Fact]
    public void A_fifo_among_the_data_files_is_refused_not_read()
    {
        Rows("train.jsonl", "imgs/ok.png");
        Assert.Equal(0, MkFifo(Path.Combine(Data, "more.jsonl"), Convert.ToUInt32("644", 8)));
        var refused = Within(() => Assert.Throws<InvalidDataException>(() => DatasetLoader.Load(Data)), "loading hung on a FIFO");
        Assert.Contains("not a regular file", refused.Message);
    }

    [Fact]
    public void The_hub_cache_layout_links_snapshot_files_into_blobs()
    {
        // huggingface_hub's layout: datasets--org--name/snapshots/<commit>/<file> -> ../../blobs/<etag>
        string repo = Path.Combine(_root, "hub", "datasets--org--name");
        string snapshot = Path.Combine(repo, "snapshots", "0123abcd");
        Directory.CreateDirectory(Path.Combine(snapshot, "imgs"));
        Directory.CreateDirectory(Path.Combine(repo, "blobs"));
        File.WriteAllBytes(Path.Combine(repo, "blobs", "png-etag"), Png);
        File.WriteAllText(Path.Combine(repo, "blobs", "rows-etag"), "{\"image\": \"imgs/a.png\", \"problem\": \"p\"}\n");
        File.CreateSymbolicLink(Path.Combine(snapshot, "imgs", "a.png"), "../../../blobs/png-etag");
        File.CreateSymbolicLink(Path.Combine(snapshot, "train.jsonl"), "../../blobs/rows-etag");

        var ds = DatasetLoader.Load(snapshot);
        Assert.Equal(Png, ds[0].GetImage("image")!.ReadBytes());
        Assert.Equal(Path.GetFullPath(repo), DatasetBoundary.For(snapshot).Root);
    }
}
