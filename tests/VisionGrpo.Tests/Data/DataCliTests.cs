using System.CommandLine;
using VisionGrpo.Cli.Commands;

namespace VisionGrpo.Tests.Data;

public class DataCliTests
{
    static (int Exit, string Out, string Err) Run(params string[] args)
    {
        var root = new RootCommand { DataCommand.Create() };
        var stdout = new StringWriter();
        var stderr = new StringWriter();
        int exit = VisionGrpo.Cli.CliRunner.Run(root, args, stdout, stderr);
        return (exit, stdout.ToString().Trim(), stderr.ToString().Trim());
    }

    [Fact]
    public void Slice_prints_ranges_as_python_json()
    {
        var (exit, output, _) = Run("data", "slice", "--split", "train[:5%]+test[:3]", "--split-sizes", "train=7689,test=100");
        Assert.Equal(0, exit);
        Assert.Equal("[[\"train\", 0, 384], [\"test\", 0, 3]]", output);
    }

    [Fact]
    public void Slice_errors_exit_non_zero_with_the_reason_on_one_line()
    {
        var (exit, output, err) = Run("data", "slice", "--split", "train[:5%] + test[:3]", "--split-sizes", "train=7689,test=100");
        Assert.Equal(1, exit);
        Assert.Equal("", output);
        Assert.Equal("error: Split name should match '^\\w+(\\.\\w+)*$' but got ' test'.", err);
    }

    [Fact]
    public void Split_indices_reproduce_the_recipe_split()
    {
        var (exit, output, _) = Run("data", "split-indices", "--num-rows", "384", "--test-size", "0.2", "--seed", "42");
        Assert.Equal(0, exit);
        Assert.StartsWith("{\"train\": [305, 73, 214, ", output);
        Assert.Contains("\"test\": [154, 232, 183, 294, 367, ", output);
    }

    [Theory]
    [InlineData("77", 307, 77)]
    [InlineData("0.2", 307, 77)]
    [InlineData("1e-05", 383, 1)]
    public void Split_sizes_follow_int_vs_float(string testSize, int train, int test)
    {
        var (exit, output, _) = Run("data", "split-indices", "--num-rows", "384", "--test-size", testSize, "--seed", "1", "--no-shuffle");
        Assert.Equal(0, exit);
        var json = System.Text.Json.Nodes.JsonNode.Parse(output)!;
        Assert.Equal(train, json["train"]!.AsArray().Count);
        Assert.Equal(test, json["test"]!.AsArray().Count);
        Assert.Equal(train, (int)json["test"]![0]!);
    }

    [Fact]
    public void Split_indices_reject_bad_sizes()
    {
        var (exit, _, err) = Run("data", "split-indices", "--num-rows", "10", "--test-size", "1.0", "--seed", "42");
        Assert.Equal(1, exit);
        Assert.Equal("error: test_size=1.0 should be either positive and smaller than the number of samples 10 or a float in the (0, 1) range", err);
    }
}
