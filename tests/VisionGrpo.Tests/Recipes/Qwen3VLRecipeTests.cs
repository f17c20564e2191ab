using VisionGrpo.Recipes;

namespace VisionGrpo.Tests.Recipes;

/// <summary><c>recipes/qwen3_vl_4b_grpo.yaml</c> is the cookbook recipe with only the model (and its output folder) changed.</summary>
public class Qwen3VLRecipeTests
{
    static string Recipe(string name) => Path.Combine(TestPaths.RepoRoot, "recipes", name);

    [Fact]
    public void Qwen3VLRecipeIsTheCookbookRecipeOnQwen3VL4B()
    {
        var qwen3 = RecipeLoader.Load(Recipe("qwen3_vl_4b_grpo.yaml"));
        var cookbook = RecipeLoader.Load(Recipe("qwen2_5_vl_3b_grpo.yaml"));
        Assert.Equal("Qwen/Qwen3-VL-4B-Instruct", qwen3.ModelNameOrPath);
        Assert.Equal("Qwen3-VL-4B-Instruct-Thinking", qwen3.OutputDir);
        qwen3.ModelNameOrPath = cookbook.ModelNameOrPath;
        qwen3.OutputDir = cookbook.OutputDir;
        Assert.Equal(RecipeWriter.ToYaml(cookbook), RecipeWriter.ToYaml(qwen3));
    }
}
