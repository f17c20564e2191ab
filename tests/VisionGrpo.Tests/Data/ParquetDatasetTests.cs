using System.Numerics;
using System.Security.Cryptography;
using System.Text.Json.Nodes;
using VisionGrpo.Data;
using VisionGrpo.Data.Loading;
using VisionGrpo.Data.Parquet;
using VisionGrpo.Data.Splits;

namespace VisionGrpo.Tests.Data;

public class ParquetDatasetTests
{
    static readonly string[] TextColumns = ["problem", "solution", "original_question", "original_answer"];

    static List<JsonObject> ExpectedRows() =>
        File.ReadLines(Path.Combine(DataFixtures.MiniDataset, "expected_rows.jsonl")).Where(l => l.Length > 0)
            .Select(l => JsonNode.Parse(l)!.AsObject()).ToList();

    static string Sha(byte[] b) => Convert.ToHexStringLower(SHA256.HashData(b));

    [Fact]
    public void Mini_dataset_reads_with_identical_values_and_image_bytes()
    {
        var ds = DatasetLoader.Load(DataFixtures.MiniDataset, "train");
        var parquet = Assert.IsType<ParquetDataset>(ds);
        Assert.Equal([24L, 24L], parquet.ShardLengths);
        Assert.Equal(["image", "problem", "solution", "original_question", "original_answer"], ds.ColumnNames);
        Assert.True(ds.Features[0].Value.IsImage);
        Assert.Equal("string", ds.Features[1].Value.Dtype);
        AssertMatchesExpected(ds, ExpectedRows(), checkSources: true);
    }

    internal static void AssertMatchesExpected(Dataset ds, List<JsonObject> expected, bool checkSources)
    {
        Assert.Equal(expected.Count, ds.Count);
        for (int i = 0; i < expected.Count; i++)
        {
            var e = expected[i];
            var row = ds[i];
            foreach (string col in TextColumns) Assert.Equal((string?)e[col], row.GetString(col));
            var img = row.GetImage("image")!;
            var ei = e["image"]!;
            Assert.Equal((string?)ei["path"], img.Path);
            byte[] bytes = img.ReadBytes();
            Assert.Equal((int)ei["bytes_len"]!, bytes.Length);
            Assert.Equal((string)ei["bytes_sha256"]!, Sha(bytes));
            var info = ImageProbe.TryProbe(bytes)!.Value;
            Assert.Equal((string)ei["format"]!, info.Format);
            Assert.Equal(((int)ei["width"]!, (int)ei["height"]!), (info.Width, info.Height));
            if (!(bool)ei["decoded_rgb_is_decoder_dependent"]!)
            {
                byte[] rgb = ImageProbe.DecodeRgb(bytes, out int w, out _);
                Assert.Equal((string)ei["decoded_rgb_sha256"]!, Sha(rgb));
                foreach (var px in ei["sample_pixels_rgb"]!.AsArray())
                {
                    int x = (int)px![0]!, y = (int)px[1]!, o = (y * w + x) * 3;
                    Assert.Equal(px[2]!.AsArray().Select(v => (byte)(int)v!), rgb[o..(o + 3)]);
                }
            }
            if (checkSources)
            {
                Assert.Equal((long)e["row_in_shard"]!, row.Source.RowInShard);
                Assert.Equal($"data/train-0000{(int)e["shard"]!}-of-00002.parquet", row.Source.Shard);
            }
        }
    }

    [Fact]
    public void Recipe_slices_and_splits_select_the_expected_rows()
    {
        var expected = ExpectedRows();
        var recipe = JsonNode.Parse(File.ReadAllText(Path.Combine(DataFixtures.MiniDataset, "expected_recipe.json")))!;
        foreach (var c in recipe["cases"]!.AsArray())
        {
            string spec = (string)c!["spec"]!;
            var ds = DatasetLoader.Load(DataFixtures.MiniDataset, spec);
            var sliced = c["sliced_rows"]!.AsArray().Select(v => (int)v!).ToList();
            Assert.Equal(sliced.Select(r => (string?)expected[r]["problem"]), ds.Rows().Select(r => r.GetString("problem")));

            var tts = c["train_test_split"]!;
            var dict = ds.TrainTestSplit(SplitSize.OfFraction((double)tts["test_size"]!), null, new BigInteger((int)tts["seed"]!));
            Assert.Equal(c["train_rows"]!.AsArray().Select(v => (string?)expected[(int)v!]["problem"]), dict["train"].Rows().Select(r => r.GetString("problem")));
            Assert.Equal(c["test_rows"]!.AsArray().Select(v => (string?)expected[(int)v!]["problem"]), dict["test"].Rows().Select(r => r.GetString("problem")));
        }
    }

    [Fact]
    public void Card_data_files_map_splits()
    {
        var splits = SplitFiles.Resolve(DataFixtures.MiniDataset);
        var (name, files) = Assert.Single(splits);
        Assert.Equal("train", name);
        Assert.Equal(2, files.Count);
        Assert.EndsWith("train-00000-of-00002.parquet", files[0]);
    }

    [Fact]
    public void Unknown_split_names_the_known_ones()
    {
        var e = Assert.ThrowsAny<ArgumentException>(() => DatasetLoader.Load(DataFixtures.MiniDataset, "test[:3]"));
        Assert.Equal("Unknown split \"test\". Should be one of ['train'].", e.Message);
    }
}
