using VisionGrpo.Data;
using VisionGrpo.Data.Loading;
using VisionGrpo.Data.Validation;

namespace VisionGrpo.Training.Inputs;

/// <summary>
/// The train and evaluation rows a trainer uses: rows whose prompt or image is unusable are reported and left out
/// (or fail the run, with <see cref="BadRowPolicy.Fail"/>).
/// </summary>
/// <param name="Train">Training rows.</param>
/// <param name="Test">Evaluation rows (null when there are none).</param>
/// <param name="BadRows">Rows left out, with the reason for each.</param>
public sealed record TrainingDatasets(Dataset Train, Dataset? Test, BadRowReport BadRows)
{
    /// <summary>Checks the rows of <paramref name="train"/> and <paramref name="test"/> for the prompt format.</summary>
    /// <exception cref="ConfigException">The image column is missing while the images sit in another column (a misspelt <c>image_column</c>).</exception>
    /// <exception cref="InvalidDataException">No usable training row, or a bad row with <see cref="BadRowPolicy.Fail"/>.</exception>
    public static TrainingDatasets Prepare(Dataset train, Dataset? test, PromptOptions prompt, BadRowPolicy policy)
    {
        ArgumentNullException.ThrowIfNull(train);
        ArgumentNullException.ThrowIfNull(prompt);
        CheckImageColumn(train, prompt.ImageColumn);
        if (test is not null) CheckImageColumn(test, prompt.ImageColumn);
        var report = new BadRowReport();
        train = Valid(train, prompt.PromptColumn, policy, report);
        if (test is not null) test = Valid(test, prompt.PromptColumn, policy, report);
        if (train.Count == 0) throw new InvalidDataException($"dataset '{train.Name}' has no usable training rows ({report.Summary()}).");
        return new TrainingDatasets(train, test, report);
    }

    // A dataset without the image column is text-only, as in TRL; but one whose images sit in another column most
    // likely has a misspelt image_column, which would silently train without the images.
    static void CheckImageColumn(Dataset dataset, string? imageColumn)
    {
        if (imageColumn is null || dataset.ColumnNames.Contains(imageColumn)) return;
        // Image features (parquet, or the loader's image columns) and the conventional names of image-path columns.
        var images = dataset.Features.Where(f => f.Value.IsImage).Select(f => f.Key)
            .Concat(dataset.ColumnNames.Intersect(ImageColumns.Conventional)).Distinct().ToList();
        if (images.Count > 0)
            throw new ConfigException($"image_column '{imageColumn}' is not a column of dataset '{dataset.Name}', whose images are in {string.Join(", ", images)}: set image_column to that column, or to none to train on the text alone.");
    }

    static Dataset Valid(Dataset dataset, string promptColumn, BadRowPolicy policy, BadRowReport report)
    {
        var validator = RowValidator.ForDataset(dataset, promptColumn);
        var good = Enumerable.Range(0, dataset.Count).Where(i => validator.Check(dataset[i], policy, report)).ToArray();
        return good.Length == dataset.Count ? dataset : dataset.Select(good);
    }
}
