using VisionGrpo.Recipes;
using VisionGrpo.Training.Config;

namespace VisionGrpo.Tests.Recipes;

public class RecipeMappingTests
{
    static RecipeConfig Cookbook(params string[] overrides) =>
        RecipeLoader.Load(Path.Combine(TestPaths.RepoRoot, "recipes", "qwen2_5_vl_3b_grpo.yaml"), overrides);

    [Fact]
    public void CookbookMapsToTrl020Semantics()
    {
        var g = RecipeMapping.ToGrpoOptions(Cookbook());
        Assert.Equal(TrlCompat.V0_20, g.Compat);
        Assert.Equal(GrpoLossType.Bnpo, g.LossType);
        Assert.Equal(ScaleRewards.Group, g.ScaleRewards);
        Assert.Equal((2, 1024, 0.0, 0.2), (g.NumGenerations, g.MaxCompletionLength, g.Beta, g.Epsilon));
    }

    [Fact]
    public void CookbookLoraIsTheRecipesPeftConfig()
    {
        var lora = RecipeMapping.ToLoraConfig(Cookbook());
        Assert.Equal((8, 32.0, 0.1), (lora.R, lora.LoraAlpha, lora.LoraDropout));
        Assert.Equal(4.0, lora.Scaling);
        Assert.Equal("Qwen/Qwen2.5-VL-3B-Instruct", lora.BaseModelNameOrPath);
        Assert.True(lora.TargetModules.Matches("model.language_model.layers.0.self_attn.q_proj"));
        Assert.True(lora.TargetModules.Matches("model.language_model.layers.3.self_attn.v_proj"));
        Assert.False(lora.TargetModules.Matches("model.visual.blocks.0.attn.qkv"));
    }

    [Fact]
    public void RegexTargetsUseTheRePrefix()
    {
        var lora = RecipeMapping.ToLoraConfig(Cookbook(@"lora_target_modules=['re:.*\.(qkv|q_proj)']"));
        Assert.True(lora.TargetModules.Matches("model.visual.blocks.0.attn.qkv"));
        Assert.False(lora.TargetModules.Matches("model.language_model.layers.0.self_attn.v_proj"));
    }

    [Theory]
    [InlineData("lora_target_modules=all-linear")]
    [InlineData("lora_target_modules=[All-Linear]")]
    public void AllLinearIsPeftsShorthand(string setting) =>
        Assert.True(RecipeMapping.ToLoraConfig(Cookbook(setting)).TargetModules.IsAllLinear);

    [Fact]
    public void RolloutsSampleWithExactlyTheRecipesParameters()
    {
        var options = RecipeMapping.ToGenerationOptions(Cookbook("temperature=0.9", "top_p=0.95"));
        Assert.True(options.TrlMode);
        Assert.True(options.DoSample);
        Assert.Equal((1024, 0.9, 0.95, 0, 2), (options.MaxNewTokens!.Value, options.Temperature!.Value, options.TopP!.Value, options.TopK!.Value, options.GenerationBatchSize));
        // TRL mode ignores the checkpoint's near-greedy generation_config.json.
        var resolved = options.Resolve(new VisionGrpo.Generation.GenerationConfigFile { Temperature = 0.1, TopK = 1, TopP = 0.001 }, tokenizerEos: 7);
        Assert.Equal((0.9, 0, 0.95), (resolved.Temperature, resolved.TopK, resolved.TopP));
        Assert.Equal([7], resolved.EosTokenIds);
    }

    [Fact]
    public void GenerationKwargsWinAndUnknownOnesAreErrors()
    {
        var options = RecipeMapping.ToGenerationOptions(Cookbook("generation_kwargs={top_k: '20', min_p: '0.05'}"));
        Assert.Equal((20, 0.05), (options.TopK!.Value, options.MinP!.Value));
        var e = Assert.Throws<ConfigException>(() => Cookbook("generation_kwargs={num_beams: '4'}"));
        Assert.Contains("generation_kwargs.num_beams", e.Message);
    }

    [Fact]
    public void VersionSpecificRulesSurfaceAtLoadTime()
    {
        var e = Assert.Throws<ConfigException>(() => Cookbook("loss_type=dapo"));
        Assert.Contains("trl_compat", e.Message);
        Assert.Equal(GrpoLossType.Dapo, RecipeMapping.ToGrpoOptions(Cookbook("trl_compat=1.9", "loss_type=dapo")).LossType);
    }
}
