using VisionGrpo.Data;
using VisionGrpo.Data.Loading;
using VisionGrpo.Data.Synthetic;
using VisionGrpo.Data.Validation;

namespace VisionGrpo.Tests.Data;

public sealed class LoaderTests : IDisposable
{
    readonly string _dir = Path.Combine(Path.GetTempPath(), "visiongrpo-loader-" + Guid.NewGuid().ToString("N"));
    static readonly byte[] Png = new VisualMathGenerator(1).Make(0).Image;

    public LoaderTests() => Directory.CreateDirectory(_dir);

    public void Dispose() => Directory.Delete(_dir, recursive: true);

    string Write(string rel, string text)
    {
        string path = Path.Combine(_dir, rel);
        Directory.CreateDirectory(Path.GetDirectoryName(path)!);
        File.WriteAllText(path, text);
        return path;
    }

    [Fact]
    public void Jsonl_with_image_paths_and_split_files_loads_by_convention()
    {
        File.WriteAllBytes(Path.Combine(_dir, "a.png"), Png);
        Write("train.jsonl", "{\"image\": \"a.png\", \"problem\": \"p0\", \"n\": 3, \"xs\": [1, 2]}\n\n{\"image\": \"a.png\", \"problem\": \"p1\", \"n\": 4.5, \"xs\": []}\n");
        Write("test.jsonl", "{\"image\": null, \"problem\": \"t0\", \"n\": 1, \"xs\": [3]}\n");
        var splits = DatasetLoader.LoadSplits(_dir);
        Assert.Equal(["train", "test"], splits.Select(s => s.Key));
        var ds = DatasetLoader.Load(_dir, "train+test");
        Assert.Equal(3, ds.Count);
        Assert.True(ds.Features.Single(f => f.Key == "image").Value.IsImage);
        Assert.Equal("float64", ds.Features.Single(f => f.Key == "n").Value.Dtype);
        Assert.Equal(Png, ds[0].GetImage("image")!.ReadBytes());
        Assert.Equal(4.5, ds[1]["n"]);
        Assert.Equal(new List<object?> { 1L, 2L }, ds[0]["xs"]);
        Assert.Null(ds[2]["image"]);
        Assert.Equal("test.jsonl", ds[2].Source.Shard);
    }

    [Fact]
    public void Bad_jsonl_line_is_reported_with_file_and_line()
    {
        Write("data.jsonl", "{\"a\": 1}\n{broken\n");
        var e = Assert.Throws<InvalidDataException>(() => DatasetLoader.Load(Path.Combine(_dir, "data.jsonl")));
        Assert.Contains("data.jsonl: line 2", e.Message);
    }

    [Fact]
    public void Csv_with_quotes_and_types()
    {
        File.WriteAllBytes(Path.Combine(_dir, "img.png"), Png);
        Write("train.csv", "image_path,problem,answer\nimg.png,\"What is 1,2?\",3\nimg.png,\"He said \"\"hi\"\"\nthen left\",-4\n");
        var ds = DatasetLoader.Load(_dir, "train[:2]");
        Assert.Equal(2, ds.Count);
        Assert.Equal("What is 1,2?", ds[0].GetString("problem"));
        Assert.Equal("He said \"hi\"\nthen left", ds[1].GetString("problem"));
        Assert.Equal(-4L, ds[1]["answer"]);
        Assert.Equal(Png, ds[0].GetImage("image_path")!.ReadBytes());
    }

    [Fact]
    public void Plain_image_folder_gets_image_and_label_columns()
    {
        Directory.CreateDirectory(Path.Combine(_dir, "cats"));
        Directory.CreateDirectory(Path.Combine(_dir, "dogs"));
        File.WriteAllBytes(Path.Combine(_dir, "cats", "1.png"), Png);
        File.WriteAllBytes(Path.Combine(_dir, "dogs", "2.png"), Png);
        var ds = DatasetLoader.Load(_dir);
        Assert.Equal(["image", "label"], ds.ColumnNames);
        Assert.Equal(["cats", "dogs"], ds.Rows().Select(r => r.GetString("label")));
        Assert.Equal(Png, ds[1].GetImage("image")!.ReadBytes());
    }

    [Theory]
    [InlineData("../../etc/passwd")]
    [InlineData("/etc/passwd")]
    [InlineData("sub/../../outside.png")]
    public void Image_paths_cannot_escape_the_dataset_folder(string path)
    {
        Write("train.jsonl", $"{{\"image\": \"{path}\", \"problem\": \"p\"}}\n");
        var cell = DatasetLoader.Load(_dir)[0].GetImage("image")!;
        var e = Assert.Throws<InvalidDataException>(() => cell.ReadBytes());
        Assert.Contains(path, e.Message);
    }

    [Fact]
    public void Symlink_pointing_outside_is_rejected()
    {
        string outside = Path.Combine(Path.GetTempPath(), "visiongrpo-outside-" + Guid.NewGuid().ToString("N") + ".png");
        File.WriteAllBytes(outside, Png);
        try
        {
            File.CreateSymbolicLink(Path.Combine(_dir, "link.png"), outside);
            var e = Assert.Throws<InvalidDataException>(() => new ImageCell(null, "link.png", _dir).ReadBytes());
            Assert.Contains("escapes", e.Message);
        }
        finally { File.Delete(outside); }
    }

    [Fact]
    public void Bad_rows_are_reported_with_dataset_shard_and_row_then_skipped_or_fatal()
    {
        File.WriteAllBytes(Path.Combine(_dir, "ok.png"), Png);
        File.WriteAllBytes(Path.Combine(_dir, "broken.png"), Png[..(Png.Length / 3)]);
        Write("train.jsonl", string.Join("\n",
            "{\"image\": \"ok.png\", \"problem\": \"a\"}",
            "{\"image\": \"broken.png\", \"problem\": \"b\"}",
            "{\"image\": \"ok.png\", \"problem\": null}",
            "{\"image\": \"missing.png\", \"problem\": \"d\"}",
            "{\"image\": \"ok.png\", \"problem\": \"e\"}") + "\n");
        var ds = DatasetLoader.Load(_dir);
        var validator = RowValidator.ForDataset(ds, "problem");
        var report = new BadRowReport();
        var good = validator.Filter(ds, BadRowPolicy.Skip, report).Select(r => r.GetString("problem")).ToList();
        Assert.Equal(["a", "e"], good);
        Assert.Equal(3, report.Count);
        Assert.Equal([1L, 2L, 3L], report.Examples.Select(b => b.Source.RowInShard));
        Assert.Contains("does not decode", report.Examples[0].Reason);
        Assert.Contains("'problem' is null", report.Examples[1].Reason);
        Assert.Contains("cannot be read", report.Examples[2].Reason);
        Assert.StartsWith("skipped 3 bad row(s); first: dataset", report.Summary());

        var e = Assert.Throws<InvalidDataException>(() => validator.Filter(ds, BadRowPolicy.Fail, new BadRowReport()).ToList());
        Assert.Contains("shard 'train.jsonl', row 1", e.Message);
    }

    [Fact]
    public void Select_shuffle_and_concat_views()
    {
        Write("train.jsonl", string.Join("\n", Enumerable.Range(0, 10).Select(i => $"{{\"i\": {i}}}")) + "\n");
        var ds = DatasetLoader.Load(_dir);
        Assert.Equal([3L, 3L, 0L], ds.Select([3, 3, 0]).Rows().Select(r => r["i"]));
        // numpy default_rng(42).permutation(10)
        var expected = VisionGrpo.Data.Splits.TrainTestSplit.Compute(10, VisionGrpo.Data.Splits.SplitSize.OfFraction(0.5), null, 42);
        Assert.Equal(expected.Test.Concat(expected.Train).Select(i => (long)i), ds.Shuffle(42).Rows().Select(r => (long)r["i"]!));
        Assert.Throws<ArgumentOutOfRangeException>(() => ds[10]);
        var cat = new ConcatenatedDataset("c", [ds.Select([1]), ds.Select([]), ds.Select([2, 4])]);
        Assert.Equal([1L, 2L, 4L], cat.Rows().Select(r => r["i"]));
    }
}
