namespace VisionGrpo.Data.Loading;

/// <summary>
/// A plain folder of images (HF <c>imagefolder</c>): with <c>metadata.jsonl</c>/<c>metadata.csv</c> (a <c>file_name</c>
/// column plus any others) the metadata rows are used; otherwise one row per image, labelled by its sub-folder if any.
/// </summary>
internal static class ImageFolderLoader
{
    static readonly string[] Extensions = [".png", ".jpg", ".jpeg", ".bmp", ".gif", ".webp"];

    /// <summary>True when <paramref name="dir"/> holds images or an images metadata file.</summary>
    public static bool Looks(string dir) =>
        File.Exists(Path.Combine(dir, "metadata.jsonl")) || File.Exists(Path.Combine(dir, "metadata.csv"))
        || Glob.Files(dir).Any(IsImage);

    /// <summary>Loads the folder as one table.</summary>
    public static TableDataset Load(string name, string dir)
    {
        string jsonl = Path.Combine(dir, "metadata.jsonl"), csv = Path.Combine(dir, "metadata.csv");
        if (File.Exists(jsonl)) return JsonlLoader.Load(name, dir, [jsonl], "file_name");
        if (File.Exists(csv)) return CsvLoader.Load(name, dir, [csv], "file_name");

        var images = Glob.Files(dir).Where(IsImage).ToList();
        bool labelled = images.Any(rel => rel.Contains('/'));
        var features = new List<KeyValuePair<string, Feature>> { new("image", Feature.Image) };
        if (labelled) features.Add(new("label", Feature.String));
        var rows = images.Select(rel => labelled
            ? new object?[] { new ImageCell(null, rel, dir), rel.Split('/')[^2] }
            : new object?[] { new ImageCell(null, rel, dir) }).ToList();
        var sources = images.Select((rel, i) => new RowSource(name, rel, 0)).ToList();
        return new TableDataset(name, features, rows, sources);
    }

    static bool IsImage(string rel) => Extensions.Contains(Path.GetExtension(rel).ToLowerInvariant());
}
