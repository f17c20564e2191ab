using System.CommandLine;
using TorchSharp.Modules;
using VisionGrpo.Cli;
using VisionGrpo.Cli.Commands;
using VisionGrpo.Lora;
using VisionGrpo.Models;

using Fx = VisionGrpo.Tests.Models.TinyFixture;

namespace VisionGrpo.Tests.Models.Qwen3VL;

/// <summary>
/// <c>model info</c> / <c>lora info</c> numbers for Qwen3-VL from config.json alone: the published totals of the real
/// 2B/4B/8B-Instruct models (tied vs untied head, position table and DeepStack mergers included), PEFT's
/// print_trainable_parameters line, and — on the tiny fixture — agreement with the modules actually built.
/// </summary>
public class Qwen3VLCountTests
{
    static string Hub(string name) => TestPaths.Fixtures("qwen3_vl_configs", name);

    [Theory]
    [InlineData("Qwen3-VL-2B-Instruct", 2_127_532_032L, true)]
    [InlineData("Qwen3-VL-4B-Instruct", 4_437_815_808L, true)]
    [InlineData("Qwen3-VL-8B-Instruct", 8_767_123_696L, false)]
    public void TotalsAreThePublishedOnes(string name, long total, bool tied)
    {
        var config = QwenVLConfig.Load(Hub(name));
        Assert.Equal(ModelFamily.Qwen3VL, config.Family);
        Assert.Equal(tied, config.Text.TieWordEmbeddings);
        Assert.Equal((128, 5e6, true, true), (config.Text.HeadDim, config.Text.RopeTheta, config.Text.MropeInterleaved, config.Text.QkNorm));
        Assert.Equal([24, 20, 20], config.Text.MropeSection!);
        Assert.Equal([151645], config.EosTokenIds);
        Assert.Equal(151643, config.BosTokenId);
        Assert.Equal("bfloat16", config.TorchDtype); // stated only inside text_config
        Assert.Equal(total, ParameterCounts.FromConfig(config).Total);
    }

    [Theory]
    [InlineData("Qwen3-VL-2B-Instruct", "q_proj,v_proj", "56 modules", "trainable params: 1,605,632 || all params: 2,129,137,664 || trainable%: 0.0754")]
    [InlineData("Qwen3-VL-4B-Instruct", "q_proj,v_proj", "72 modules", "trainable params: 2,949,120 || all params: 4,440,764,928 || trainable%: 0.0664")]
    [InlineData("Qwen3-VL-8B-Instruct", "q_proj,v_proj", "72 modules", "trainable params: 3,833,856 || all params: 8,770,957,552 || trainable%: 0.0437")]
    // Vision targets: 24 block qkv + 24 block linear_fc1 + the merger's and the 3 DeepStack mergers' linear_fc1.
    [InlineData("Qwen3-VL-4B-Instruct", "qkv,linear_fc1", "52 modules", "trainable params: 2,031,616 || all params: 4,439,847,424 || trainable%: 0.0458")]
    public void LoraInfoPrintsPeftsLine(string name, string targets, string modules, string line)
    {
        var root = new RootCommand();
        root.Options.Add(CliOptions.Verbose);
        root.Subcommands.Add(LoraCommand.Create());
        var output = new StringWriter();
        Assert.Equal(0, CliRunner.Run(root, ["lora", "info", "--model", Hub(name), "--r", "8", "--target-modules", targets], output, new StringWriter()));
        Assert.Contains(modules + " wrapped", output.ToString());
        Assert.EndsWith(line + Environment.NewLine, output.ToString());
    }

    [Fact]
    public void ConfigCountsAndModuleListAgreeWithTheBuiltTinyModel()
    {
        var config = QwenVLConfig.Load(Fx.DirOf(Fx.Qwen3VL));
        using var model = new QwenVLForConditionalGeneration(config);
        Assert.Equal(349_248, model.parameters().Sum(p => p.numel()));
        Assert.Equal(349_248, ParameterCounts.FromConfig(config).Total);
        var built = model.named_modules()
            .Where(m => m.module is Linear or Conv3d)
            .Select(m => m.module is Linear l ? new LoraModuleLayout.Entry(m.name, l.weight!.shape[1], l.weight!.shape[0]) : new LoraModuleLayout.Entry(m.name, 0, 0, IsLinear: false));
        // The Conv3d is compared by name only (LoRA cannot wrap it).
        var predicted = LoraModuleLayout.FromConfig(config).Select(e => e.IsLinear ? e : e with { InFeatures = 0, OutFeatures = 0 });
        Assert.Equal(built.OrderBy(e => e.Name, StringComparer.Ordinal), predicted.OrderBy(e => e.Name, StringComparer.Ordinal));
    }
}
