using VisionGrpo.Recipes;
using VisionGrpo.Tests.Cli;

namespace VisionGrpo.Tests.Recipes;

/// <summary><c>visiongrpo config --keys</c> shows every default readably: lists as <c>[a, b]</c>, maps as <c>{k: v}</c>.</summary>
public sealed class ConfigKeysFormatTests
{
    [Fact]
    public void Lists_and_maps_print_in_the_set_syntax()
    {
        Assert.Equal("[format, accuracy]", ConfigKeys.Format(new List<string> { "format", "accuracy" }));
        Assert.Equal("[1, 0.5]", ConfigKeys.Format(new List<double> { 1.0, 0.5 }));
        Assert.Equal("{max_pixels: 100}", ConfigKeys.Format(new Dictionary<string, string> { ["max_pixels"] = "100" }));
        Assert.Equal("[]", ConfigKeys.Format(new List<string>()));
        Assert.Equal("r1", ConfigKeys.Format("r1"));
        var defaults = new RecipeConfig();
        Assert.All(ConfigKeys.All, key => Assert.DoesNotContain("System.", ConfigKeys.Format(key.Property.GetValue(defaults))));
    }

    [Fact]
    public void Config_keys_from_the_command_line_shows_list_defaults()
    {
        var (code, output, _) = CliProcess.Run(Path.GetTempPath(), new Dictionary<string, string> { ["COLUMNS"] = "240" }, "config", "--keys");
        Assert.Equal(0, code);
        Assert.Contains("[format, accuracy]", output);
        Assert.Contains("[tensorboard]", output);
        Assert.DoesNotContain("System.Collections", output);
    }
}
