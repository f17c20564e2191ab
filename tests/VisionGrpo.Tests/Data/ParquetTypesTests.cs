using Parquet;
using Parquet.Schema;
using VisionGrpo.Data.Loading;
using VisionGrpo.Data.Parquet;

namespace VisionGrpo.Tests.Data;

public sealed class ParquetTypesTests : IDisposable
{
    readonly string _dir = Path.Combine(Path.GetTempPath(), "visiongrpo-ptypes-" + Guid.NewGuid().ToString("N"));

    public ParquetTypesTests() => Directory.CreateDirectory(_dir);

    public void Dispose() => Directory.Delete(_dir, recursive: true);

    [Fact]
    public async Task Typed_nullable_columns_keep_their_nulls_in_place()
    {
        var id = new DataField<long>("id", true);
        var score = new DataField<double>("score", true);
        var ok = new DataField<bool>("ok", true);
        var small = new DataField<int>("small", true);
        var name = new DataField<string>("name", true);
        string file = Path.Combine(_dir, "train-00000-of-00001.parquet");
        await using (var stream = File.Create(file))
        {
            await using var writer = await ParquetWriter.CreateAsync(new ParquetSchema(id, score, ok, small, name), stream, cancellationToken: TestContext.Current.CancellationToken);
            using var rg = writer.CreateRowGroup();
            await rg.WriteAsync<long>(id, new long?[] { 1, null, 3 }, cancellationToken: TestContext.Current.CancellationToken);
            await rg.WriteAsync<double>(score, new double?[] { null, 2.5, -1 }, cancellationToken: TestContext.Current.CancellationToken);
            await rg.WriteAsync<bool>(ok, new bool?[] { true, false, null }, cancellationToken: TestContext.Current.CancellationToken);
            await rg.WriteAsync<int>(small, new int?[] { null, null, 7 }, cancellationToken: TestContext.Current.CancellationToken);
            await rg.WriteAsync(name, new[] { "a", null, "c" });
        }
        var ds = Assert.IsType<ParquetDataset>(DatasetLoader.Load(_dir));
        Assert.Equal(["int64", "float64", "bool", "int32", "string"], ds.Features.Select(f => f.Value.Dtype));
        Assert.Equal(new object?[] { 1L, null, 3L }, ds.Rows().Select(r => r["id"]));
        Assert.Equal(new object?[] { null, 2.5, -1.0 }, ds.Rows().Select(r => r["score"]));
        Assert.Equal(new object?[] { true, false, null }, ds.Rows().Select(r => r["ok"]));
        Assert.Equal(new object?[] { null, null, 7L }, ds.Rows().Select(r => r["small"]));
        Assert.Equal(new object?[] { "a", null, "c" }, ds.Rows().Select(r => r["name"]));
    }

    [Fact]
    public void A_file_that_is_not_parquet_is_named_in_the_error()
    {
        Directory.CreateDirectory(Path.Combine(_dir, "data"));
        File.WriteAllText(Path.Combine(_dir, "data", "train-00000-of-00001.parquet"), "not parquet");
        var e = Assert.Throws<InvalidDataException>(() => DatasetLoader.Load(_dir));
        Assert.Contains("data/train-00000-of-00001.parquet", e.Message);
    }
    [Fact]
    public async Task List_columns_read_as_one_list_per_row()
    {
        var item = new DataField<long>("element", true);
        var xs = new ListField("xs", item);
        string file = Path.Combine(_dir, "train.parquet");
        await using (var stream = File.Create(file))
        {
            await using var writer = await ParquetWriter.CreateAsync(new ParquetSchema(xs), stream, cancellationToken: TestContext.Current.CancellationToken);
            using var rg = writer.CreateRowGroup();
            await rg.WriteAsync<long>(item, new long?[] { 1, 2, 3, 4, 5, 6 }, new int[] { 0, 1, 0, 0, 1, 1 }, cancellationToken: TestContext.Current.CancellationToken);
        }
        var ds = DatasetLoader.Load(file);
        Assert.Equal("list<int64>", ds.Features[0].Value.ToString());
        Assert.Equal([[1L, 2L], [3L], [4L, 5L, 6L]], ds.Rows().Select(r => ((List<object?>)r["xs"]!).Cast<long>().ToArray()));
    }

    [Fact]
    public async Task A_list_of_image_structs_reads_as_the_rows_images_in_order()
    {
        // TRL's `images` column: Sequence(Image), i.e. list<struct<bytes, path>> in parquet.
        var bytes = new DataField<byte[]>("bytes", true);
        var path = new DataField<string>("path", true);
        var images = new ListField("images", new StructField("element", bytes, path));
        var problem = new DataField<string>("problem", true);
        byte[][] pngs = [[1, 2], [3], [4, 5, 6]];
        string file = Path.Combine(_dir, "train.parquet");
        await using (var stream = File.Create(file))
        {
            await using var writer = await ParquetWriter.CreateAsync(new ParquetSchema(images, problem), stream, cancellationToken: TestContext.Current.CancellationToken);
            using var rg = writer.CreateRowGroup();
            await rg.WriteAsync(bytes, pngs, new int[] { 0, 1, 0 });
            await rg.WriteAsync(path, new[] { "a.png", "b.png", "c.png" }, new int[] { 0, 1, 0 });
            await rg.WriteAsync(problem, new[] { "two images", "one image" });
        }
        var ds = DatasetLoader.Load(file);
        Assert.True(ds.Features[0].Value.HoldsImages);
        Assert.Equal("list<image>", ds.Features[0].Value.ToString());
        var rows = ds.Rows().ToList();
        Assert.Equal([["a.png", "b.png"], ["c.png"]], rows.Select(r => r.GetImages("images").Select(c => c.Path).ToArray()));
        Assert.Equal(pngs, rows.SelectMany(r => r.GetImages("images")).Select(c => c.Bytes));
        Assert.Contains("column 'problem' holds String", Assert.Throws<InvalidDataException>(() => rows[0].GetImages("problem")).Message);
    }
}
