using VisionGrpo.Lora;
using VisionGrpo.Tests.Models;
using static TorchSharp.torch;

namespace VisionGrpo.Tests.Lora;

/// <summary>
/// Against PEFT 0.17.1's own outputs (tests/fixtures/peft_lora): logits with the adapter, with it disabled and after
/// merging (1e-4 fp32 on case_a, as the fixture README suggests), for both variants and both key layouts.
/// </summary>
public class PeftParityTests
{
    const double Tolerance = 1e-4;

    [Theory]
    [InlineData(LoraFixture.R8, "adapter")]
    [InlineData(LoraFixture.R8, "adapter_old_layout")]
    [InlineData(LoraFixture.R4, "adapter")]
    [InlineData(LoraFixture.R4, "adapter_old_layout")]
    public void AdapterDisabledAndMergedLogitsMatchPeft(string variant, string folder)
    {
        using var scope = NewDisposeScope();
        var c = TinyFixture.LoadCase("case_a");
        var mask = c["attention_mask"];
        using var model = TinyFixture.Model();
        var baseLogits = LoraFixture.Logits(model, c);

        using var peft = PeftModel.Load(model, LoraFixture.Dir(variant, folder));
        var lora = LoraFixture.Logits(model, c);
        Assert.InRange(TinyFixture.MaxDiffValid(lora, LoraFixture.Expected(variant, "lora_logits"), mask), 0, Tolerance);
        // The adapter really changes the output (PEFT: mean 0.38 / 0.47): a no-op adapter could not pass the above.
        Assert.True(TinyFixture.MaxDiff(lora, baseLogits) > 0.5);

        using (peft.DisableAdapter())
        {
            var disabled = LoraFixture.Logits(model, c);
            Assert.Equal(0, TinyFixture.MaxDiff(disabled, baseLogits));
            Assert.InRange(TinyFixture.MaxDiffValid(disabled, LoraFixture.Expected(variant, "disabled_adapter_logits"), mask), 0, Tolerance);
        }
        Assert.Equal(0, TinyFixture.MaxDiff(LoraFixture.Logits(model, c), lora));

        var merged = peft.MergeAndUnload();
        var mergedLogits = LoraFixture.Logits(merged, c);
        Assert.InRange(TinyFixture.MaxDiffValid(mergedLogits, LoraFixture.Expected(variant, "merged_logits"), mask), 0, Tolerance);
        Assert.InRange(TinyFixture.MaxDiff(mergedLogits, lora), 0, 1e-5);
    }

    [Theory]
    [InlineData(LoraFixture.R8)]
    [InlineData(LoraFixture.R4)]
    public void MergedWeightsEqualPeftsMergedCheckpoint(string variant)
    {
        using var scope = NewDisposeScope();
        using var model = TinyFixture.Model();
        PeftModel.Load(model, LoraFixture.Dir(variant, "adapter")).MergeAndUnload();
        using var expected = VisionGrpo.Tensors.SafetensorsFile.Open(LoraFixture.Dir(variant, "merged", "model.safetensors"));
        var ours = model.named_parameters().ToDictionary(p => p.name, p => p.parameter);
        Assert.Equal(expected.Names.OrderBy(n => n, StringComparer.Ordinal), ours.Keys.OrderBy(n => n, StringComparer.Ordinal));
        foreach (string name in expected.Names)
            Assert.InRange(TinyFixture.MaxDiff(ours[name], expected.Load(name)), 0, 1e-6);

        string dir = LoraFixture.TempDir();
        try
        {
            VisionGrpo.Models.ModelFolder.Save(model, dir);
            using var saved = VisionGrpo.Tensors.SafetensorsFile.Open(Path.Combine(dir, "model.safetensors"));
            Assert.Equal(expected.Names.OrderBy(n => n, StringComparer.Ordinal), saved.Names.OrderBy(n => n, StringComparer.Ordinal));
        }
        finally { Directory.Delete(dir, recursive: true); }
    }

    [Theory]
    [InlineData(LoraFixture.R8)]
    [InlineData(LoraFixture.R4)]
    public void BothKeyLayoutsLoadTheSameTensors(string variant)
    {
        using var scope = NewDisposeScope();
        using var a = TinyFixture.Model();
        using var b = TinyFixture.Model();
        using var current = PeftModel.Load(a, LoraFixture.Dir(variant, "adapter"));
        using var old = PeftModel.Load(b, LoraFixture.Dir(variant, "adapter_old_layout"));
        var x = current.NamedAdapterParameters().ToList();
        var y = old.NamedAdapterParameters().ToList();
        Assert.Equal(x.Select(p => p.Name), y.Select(p => p.Name));
        for (int i = 0; i < x.Count; i++) Assert.True(LoraFixture.BitEqual(x[i].Parameter, y[i].Parameter), x[i].Name);
    }

    [Theory]
    [InlineData(LoraFixture.R8)]
    [InlineData(LoraFixture.R4)]
    public void ModuleNamesParameterNamesAndScalingAreAsInPeft(string variant)
    {
        var record = LoraFixture.Variant(variant);
        using var model = TinyFixture.Model();
        using var peft = PeftModel.Wrap(model, LoraFixture.Config(variant));
        Assert.Equal(LoraFixture.Strings(record["lora_modules"]).Order(StringComparer.Ordinal),
            peft.Layers.Select(l => LoraKeys.Prefix + LoraKeys.ToHf(l.Name)).Order(StringComparer.Ordinal));
        Assert.Equal(LoraFixture.Strings(record["in_memory_lora_parameter_names"]).Order(StringComparer.Ordinal),
            peft.NamedAdapterParameters().Select(p => p.Name).Order(StringComparer.Ordinal));
        var scaling = record["scaling"]!.AsObject();
        foreach (var layer in peft.Layers)
            Assert.Equal(scaling[LoraKeys.Prefix + LoraKeys.ToHf(layer.Name)]!.GetValue<double>(), layer.Scaling);
    }

    [Theory]
    [InlineData(LoraFixture.R8)]
    [InlineData(LoraFixture.R4)]
    public void PrintedLineIsPeftsExactLine(string variant)
    {
        var record = LoraFixture.Variant(variant);
        using var model = TinyFixture.Model();
        using var peft = PeftModel.Wrap(model, LoraFixture.Config(variant));
        var output = new StringWriter();
        peft.PrintTrainableParameters(output);
        Assert.Equal(record["print_trainable_parameters"]!.GetValue<string>() + Environment.NewLine, output.ToString());
        var nb = record["get_nb_trainable_parameters"]!.AsArray();
        Assert.Equal((nb[0]!.GetValue<long>(), nb[1]!.GetValue<long>()), peft.GetNbTrainableParameters());
        // Loaded for inference (PEFT's from_pretrained default) nothing is trainable.
        using var model2 = TinyFixture.Model();
        using var loaded = PeftModel.Load(model2, LoraFixture.Dir(variant, "adapter"));
        Assert.Equal(0, loaded.GetNbTrainableParameters().Trainable);
    }
}
