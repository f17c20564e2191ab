using System.CommandLine;
using VisionGrpo.Cli;
using VisionGrpo.Cli.Commands;
using VisionGrpo.Tensors;
using VisionGrpo.Tests.Models;

namespace VisionGrpo.Tests.Lora;

/// <summary><c>visiongrpo lora info</c> and <c>lora merge</c> end to end.</summary>
public class LoraCliTests
{
    static int Run(params string[] args) => Run(new StringWriter(), args);

    static int Run(TextWriter output, params string[] args) => Run(output, new StringWriter(), args);

    static int Run(TextWriter output, TextWriter error, params string[] args)
    {
        var root = new RootCommand();
        root.Options.Add(CliOptions.Verbose);
        root.Subcommands.Add(LoraCommand.Create());
        return CliRunner.Run(root, args, output, error);
    }

    static string Capture(params string[] args)
    {
        var output = new StringWriter();
        Assert.Equal(0, Run(output, args));
        return output.ToString();
    }

    [Fact]
    public void InfoPrintsPeftsLineForThe3BConfigFromConfigJsonAlone()
    {
        // The folder holds config.json only: no weights exist to allocate or read.
        string folder = Path.GetDirectoryName(TinyFixture.Config3B)!;
        string text = Capture("lora", "info", "--model", folder);
        Assert.Contains("72 modules wrapped", text);
        Assert.EndsWith("trainable params: 1,843,200 || all params: 3,756,466,176 || trainable%: 0.0491" + Environment.NewLine, text);
        text = Capture("lora", "info", "--model", folder, "--r", "4", "--lora-alpha", "8", "--target-modules", "q_proj,v_proj,qkv", "--use-rslora");
        Assert.Contains("104 modules wrapped", text);
        Assert.Contains(LoraFixture.Meta3B(LoraFixture.R4)["print_trainable_parameters"]!.GetValue<string>(), text);
    }

    [Fact]
    public void InfoPrintsPeftsLineForTheQwen2VL2BConfig()
    {
        // Hand computation in Qwen2VLTests.PeftLineOfThe2BConfigFromConfigJsonAlone.
        string text = Capture("lora", "info", "--model", Path.GetDirectoryName(TinyFixture.Config2VL2B)!,
            "--r", "8", "--lora-alpha", "32", "--target-modules", "q_proj,v_proj");
        Assert.Contains("56 modules wrapped", text);
        Assert.EndsWith("trainable params: 1,089,536 || all params: 2,210,075,136 || trainable%: 0.0493" + Environment.NewLine, text);
    }

    [Fact]
    public void InfoRejectsTargetsThatMatchNothing() =>
        Assert.Equal(1, Run("lora", "info", "--model", Path.GetDirectoryName(TinyFixture.Config3B)!, "--target-modules", "c_attn"));

    [Fact]
    public void MergeWritesPeftsMergedCheckpoint()
    {
        string dir = LoraFixture.TempDir();
        try
        {
            Capture("lora", "merge", "--model", TinyFixture.Dir, "--adapter", LoraFixture.Dir(LoraFixture.R4, "adapter_old_layout"), "--output", dir);
            using var scope = TorchSharp.torch.NewDisposeScope();
            using var expected = SafetensorsFile.Open(LoraFixture.Dir(LoraFixture.R4, "merged", "model.safetensors"));
            using var actual = SafetensorsFile.Open(Path.Combine(dir, "model.safetensors"));
            Assert.Equal(expected.Names.Order(StringComparer.Ordinal), actual.Names.Order(StringComparer.Ordinal));
            foreach (string name in expected.Names)
                Assert.InRange(TinyFixture.MaxDiff(expected.Load(name), actual.Load(name)), 0, 1e-6);
            Assert.True(File.Exists(Path.Combine(dir, "config.json")));
            Assert.True(File.Exists(Path.Combine(dir, "generation_config.json")));
        }
        finally { Directory.Delete(dir, recursive: true); }
    }

    [Fact]
    public void MergeRefusesTheBaseFolderItselfAFolderInsideItOrALinkToIt()
    {
        string dir = LoraFixture.TempDir();
        try
        {
            Directory.CreateDirectory(dir);
            string link = Path.Combine(dir, "base-link");
            Directory.CreateSymbolicLink(link, TinyFixture.Dir);
            string before = Convert.ToHexString(System.Security.Cryptography.SHA256.HashData(File.ReadAllBytes(Path.Combine(TinyFixture.Dir, "model.safetensors"))));
            foreach (string output in new[] { TinyFixture.Dir, Path.Combine(TinyFixture.Dir, "merged"), link, TinyFixture.Dir + "/./" })
            {
                var error = new StringWriter();
                Assert.Equal(1, Run(new StringWriter(), error, "lora", "merge", "--model", TinyFixture.Dir, "--adapter", LoraFixture.Dir(LoraFixture.R4, "adapter_old_layout"), "--output", output));
                Assert.Contains("would overwrite the base weights", error.ToString());
            }
            Assert.Equal(before, Convert.ToHexString(System.Security.Cryptography.SHA256.HashData(File.ReadAllBytes(Path.Combine(TinyFixture.Dir, "model.safetensors")))));
            Assert.False(Directory.Exists(Path.Combine(TinyFixture.Dir, "merged")));
        }
        finally { Directory.Delete(dir, recursive: true); }
    }

    [Fact]
    public void AnAllNanAdapterLoadsWithAWarning()
    {
        string dir = LoraFixture.TempDir();
        try
        {
            using (var model = VisionGrpo.Models.ModelFolder.Load(TinyFixture.Dir))
            using (var peft = VisionGrpo.Lora.PeftModel.Wrap(model, new VisionGrpo.Lora.LoraConfig { R = 2, TargetModules = VisionGrpo.Lora.LoraTargetModules.FromNames(["q_proj"]) }))
            {
                Assert.Null(peft.NonFiniteWarning());
                using (TorchSharp.torch.no_grad())
                    foreach (var (_, p) in peft.NamedAdapterParameters()) p.fill_(float.NaN);
                peft.Save(dir);
            }
            var error = new StringWriter();
            Assert.Equal(0, Run(new StringWriter(), error, "lora", "merge", "--model", TinyFixture.Dir, "--adapter", dir, "--output", Path.Combine(dir, "merged")));
            Assert.Contains("warning: the adapter has non-finite (NaN/inf) weights", error.ToString());
        }
        finally { Directory.Delete(dir, recursive: true); }
    }
}
