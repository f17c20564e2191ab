using VisionGrpo.Cli.Commands;
using VisionGrpo.Recipes;

namespace VisionGrpo.Tests.Demo;

/// <summary>Where `visiongrpo train` without --config finds the demo: a clone's recipes/, else the copy next to the executable.</summary>
public sealed class DemoRecipeTests : IDisposable
{
    readonly string _dir = Path.Combine(Path.GetTempPath(), "vg-demo-recipe-" + Guid.NewGuid().ToString("N")[..8]);

    public DemoRecipeTests() => Directory.CreateDirectory(_dir);
    public void Dispose() => Directory.Delete(_dir, recursive: true);

    [Fact]
    public void OutsideACloneTheShippedDemoRunsWithItsModelPathMadeAbsolute()
    {
        // The build copies the demo next to the CLI (and so next to the tests): demo/recipes, demo/models.
        var demo = DemoRecipe.Locate(_dir, AppContext.BaseDirectory);
        Assert.NotNull(demo);
        Assert.True(File.Exists(demo.Path));
        var config = RecipeLoader.Load(demo.Path, [.. demo.Overrides, "max_steps=3"]);
        Assert.True(Path.IsPathRooted(config.ModelNameOrPath));
        Assert.True(File.Exists(Path.Combine(config.ModelNameOrPath, "model.safetensors")));
        Assert.Equal("out/demo", config.OutputDir);   // outputs stay relative to the working directory
        Assert.Equal(3, config.MaxSteps);
    }

    [Fact]
    public void InACloneTheRecipeOfTheCloneWins()
    {
        Directory.CreateDirectory(Path.Combine(_dir, "recipes"));
        File.WriteAllText(Path.Combine(_dir, DemoRecipe.RelativePath), "max_steps: 1\n");
        var demo = DemoRecipe.Locate(_dir, AppContext.BaseDirectory);
        Assert.Equal(DemoRecipe.RelativePath, demo!.Path);
        Assert.Empty(demo.Overrides);
    }

    [Fact]
    public void WithNeitherThereIsNoDemo() => Assert.Null(DemoRecipe.Locate(_dir, _dir));
}
