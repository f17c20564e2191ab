using VisionGrpo.Rewards;
using VisionGrpo.Training;
using VisionGrpo.Training.Checkpoints;

namespace VisionGrpo.Recipes;

/// <summary>
/// A recipe as the objects the library takes: what <c>visiongrpo train</c> runs. The recipe is validated, its
/// datasets loaded, its reward functions created, its model loaded (from the checkpoint to resume, if any), and its
/// keys mapped onto a <see cref="GrpoConfig"/>; the trainer owns and disposes what was created here.
/// </summary>
public static class RecipeTrainer
{
    /// <summary>Builds the GRPO trainer a recipe describes.</summary>
    /// <param name="recipe">The run configuration (from <see cref="RecipeLoader"/> or built in code; validated here).</param>
    /// <param name="events">Progress callbacks.</param>
    /// <param name="rewards">Reward functions to use instead of the recipe's <c>reward_funcs</c> (like passing callables to TRL); the caller keeps them.</param>
    /// <exception cref="ConfigException">An invalid or inconsistent key (named).</exception>
    public static GrpoTrainer ToGrpoTrainer(this RecipeConfig recipe, TrainerEvents? events = null, IReadOnlyList<IRewardFunction>? rewards = null)
    {
        ArgumentNullException.ThrowIfNull(recipe);
        RecipeValidator.Validate(recipe);
        events ??= new TrainerEvents();
        if (recipe.PushToHub) events.Warning?.Invoke("push_to_hub: true is ignored; VisionGrpo never uploads (use `huggingface-cli upload` on output_dir).");
        var args = RecipeMapping.ToGrpoConfig(recipe).Validate();
        var (train, test) = RecipeDatasets.LoadSplits(recipe, events.Info);
        var load = RecipeMapping.ToPolicyLoadOptions(recipe).Validate();
        IReadOnlyList<IRewardFunction> created = rewards is { Count: > 0 } ? [] : RecipeMapping.Checked(() => RecipeMapping.ToRewards(recipe));
        PolicyModel policy;
        try
        {
            string? checkpoint = new CheckpointStore(args.OutputDir).ResolveResume(args.ResumeFromCheckpoint);
            policy = PolicyModel.Load(load, checkpoint);
        }
        catch
        {
            foreach (var reward in created) (reward as IDisposable)?.Dispose();
            throw;
        }
        // From here the trainer disposes the model and the created rewards, also when its construction fails.
        return new GrpoTrainer(policy, created.Count > 0 ? created : rewards!, args, train, test, events, ownsModel: true,
            alsoOwned: created.OfType<IDisposable>().ToList());
    }
}
