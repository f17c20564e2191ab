using VisionGrpo.Data;
using VisionGrpo.Data.Hub;
using VisionGrpo.Data.Loading;
using VisionGrpo.Data.Splits;
using VisionGrpo.Data.Synthetic;
using VisionGrpo.Data.Validation;
using VisionGrpo.Recipes;

namespace VisionGrpo.Training.Inputs;

/// <summary>
/// The train and evaluation datasets a recipe names, as TRL's script builds them: <c>load_dataset(dataset_name,
/// dataset_config, split=dataset_train_split)</c> (or a <c>synth:visual_math?…</c> dataset, generated once), then either <c>train_test_split(test_size, seed)</c> or
/// <c>dataset_test_split</c>; rows whose prompt or image is unusable are reported and skipped (or fail the run).
/// </summary>
/// <param name="Train">Training rows.</param>
/// <param name="Test">Evaluation rows (null when the recipe names none).</param>
/// <param name="BadRows">Rows left out, with the reason for each.</param>
public sealed record RecipeDatasets(Dataset Train, Dataset? Test, BadRowReport BadRows)
{
    /// <summary>Loads the datasets of <paramref name="recipe"/> (a local folder/file or a hub id, downloaded into the HF cache).</summary>
    /// <exception cref="ConfigException">dataset_name is not set.</exception>
    /// <param name="recipe">The run configuration.</param>
    /// <param name="log">Receives a line when a synthetic dataset is generated.</param>
    public static RecipeDatasets Load(RecipeConfig recipe, Action<string>? log = null)
    {
        if (string.IsNullOrWhiteSpace(recipe.DatasetName))
            throw new ConfigException("dataset_name is not set: give a dataset folder or hub id (--set dataset_name=...).");
        string path = SynthDatasetSpec.Matches(recipe.DatasetName)
            ? RecipeMapping.Checked(() => SynthDatasetSpec.Parse(recipe.DatasetName)).Materialize(log)
            : RepoLocator.Resolve(recipe.DatasetName, RepoType.Dataset, source: "dataset_name");
        string? imageColumn = RecipeMapping.ImageColumn(recipe);
        var loaded = DatasetLoader.Load(path, recipe.DatasetTrainSplit, recipe.DatasetConfig, imageColumn);
        CheckImageColumn(loaded, imageColumn);
        Dataset train = loaded;
        Dataset? test = null;
        if (!string.IsNullOrWhiteSpace(recipe.TestSize))
        {
            var parts = loaded.TrainTestSplit(SplitSize.Parse(recipe.TestSize), seed: recipe.Seed);
            (train, test) = (parts["train"], parts["test"]);
        }
        else if (!string.IsNullOrWhiteSpace(recipe.DatasetTestSplit))
            test = DatasetLoader.Load(path, recipe.DatasetTestSplit, recipe.DatasetConfig, imageColumn);

        var report = new BadRowReport();
        var policy = recipe.BadRows == "fail" ? BadRowPolicy.Fail : BadRowPolicy.Skip;
        train = Valid(train, recipe, policy, report);
        if (test is not null) test = Valid(test, recipe, policy, report);
        if (train.Count == 0) throw new InvalidDataException($"dataset '{recipe.DatasetName}' split '{recipe.DatasetTrainSplit}' has no usable training rows ({report.Summary()}).");
        return new RecipeDatasets(train, test, report);
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

    static Dataset Valid(Dataset dataset, RecipeConfig recipe, BadRowPolicy policy, BadRowReport report)
    {
        var validator = RowValidator.ForDataset(dataset, recipe.PromptColumn);
        var good = Enumerable.Range(0, dataset.Count).Where(i => validator.Check(dataset[i], policy, report)).ToArray();
        return good.Length == dataset.Count ? dataset : dataset.Select(good);
    }
}
