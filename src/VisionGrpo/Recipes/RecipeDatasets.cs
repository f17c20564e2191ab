using VisionGrpo.Data;
using VisionGrpo.Data.Hub;
using VisionGrpo.Data.Loading;
using VisionGrpo.Data.Splits;
using VisionGrpo.Data.Synthetic;
using VisionGrpo.Training.Inputs;

namespace VisionGrpo.Recipes;

/// <summary>
/// The train and evaluation datasets a recipe names, as TRL's script builds them: <c>load_dataset(dataset_name,
/// dataset_config, split=dataset_train_split)</c> (or a <c>synth:visual_math?…</c> dataset, generated once), then either <c>train_test_split(test_size, seed)</c> or
/// <c>dataset_test_split</c>.
/// </summary>
public static class RecipeDatasets
{
    /// <summary>Loads the datasets of <paramref name="recipe"/> and checks their rows as the trainer does (<see cref="TrainingDatasets.Prepare"/>).</summary>
    /// <exception cref="ConfigException">dataset_name is not set.</exception>
    /// <param name="recipe">The run configuration.</param>
    /// <param name="log">Receives a line when a synthetic dataset is generated.</param>
    public static TrainingDatasets Load(RecipeConfig recipe, Action<string>? log = null)
    {
        var (train, test) = LoadSplits(recipe, log);
        return TrainingDatasets.Prepare(train, test, RecipeMapping.ToPromptOptions(recipe), RecipeMapping.ToBadRowPolicy(recipe));
    }

    /// <summary>The recipe's train and evaluation splits as loaded, before any row is checked.</summary>
    /// <exception cref="ConfigException">dataset_name is not set.</exception>
    public static (Dataset Train, Dataset? Test) LoadSplits(RecipeConfig recipe, Action<string>? log = null)
    {
        if (string.IsNullOrWhiteSpace(recipe.DatasetName))
            throw new ConfigException("dataset_name is not set: give a dataset folder or hub id (--set dataset_name=...).");
        string path = SynthDatasetSpec.Matches(recipe.DatasetName)
            ? RecipeMapping.Checked(() => SynthDatasetSpec.Parse(recipe.DatasetName)).Materialize(log)
            : RepoLocator.Resolve(recipe.DatasetName, RepoType.Dataset, source: "dataset_name");
        string? imageColumn = RecipeMapping.ImageColumn(recipe);
        var loaded = DatasetLoader.Load(path, recipe.DatasetTrainSplit, recipe.DatasetConfig, imageColumn);
        if (!string.IsNullOrWhiteSpace(recipe.TestSize))
        {
            var parts = loaded.TrainTestSplit(SplitSize.Parse(recipe.TestSize), seed: recipe.Seed);
            return (parts["train"], parts["test"]);
        }
        return (loaded, string.IsNullOrWhiteSpace(recipe.DatasetTestSplit) ? null
            : DatasetLoader.Load(path, recipe.DatasetTestSplit, recipe.DatasetConfig, imageColumn));
    }
}
