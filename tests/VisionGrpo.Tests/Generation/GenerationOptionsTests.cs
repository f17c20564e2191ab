using VisionGrpo.Generation;
using Xunit;

namespace VisionGrpo.Tests.Generation;

/// <summary>How explicit options, <c>generation_config.json</c> and TRL mode combine.</summary>
public sealed class GenerationOptionsTests
{
    // Qwen2.5-VL-Instruct's shipped file: the near-greedy defaults.
    const string QwenFile = """
        {"bos_token_id": 151643, "pad_token_id": 151643, "eos_token_id": [151645, 151643], "do_sample": true,
         "repetition_penalty": 1.05, "temperature": 0.1, "top_p": 0.001, "top_k": 1}
        """;

    static GenerationConfigFile Qwen => GenerationConfigFile.Parse(QwenFile, "generation_config.json");

    [Fact]
    public void FileDefaultsApplyAndExplicitOptionsWin()
    {
        var fromFile = new GenerationOptions().Resolve(Qwen, tokenizerEos: 151645);
        Assert.True(fromFile.DoSample);
        Assert.Equal((0.1, 1, 0.001, 1.05), (fromFile.Temperature, fromFile.TopK, fromFile.TopP, fromFile.RepetitionPenalty));
        Assert.Equal(new[] { 151645, 151643 }, fromFile.EosTokenIds);
        Assert.Equal(151643, fromFile.PadTokenId);
        var overridden = new GenerationOptions { Temperature = 0.9, TopP = 0.95, MaxNewTokens = 7 }.Resolve(Qwen);
        Assert.Equal((0.9, 0.95, 1, 7), (overridden.Temperature, overridden.TopP, overridden.TopK, overridden.MaxNewTokens));
    }

    [Fact]
    public void TrlModeIgnoresTheCheckpointsNearGreedyFile()
    {
        var trl = new GenerationOptions { TrlMode = true, Temperature = 0.9, MaxNewTokens = 64 }.Resolve(Qwen, tokenizerEos: 151645, tokenizerPad: 151643);
        Assert.True(trl.DoSample);
        Assert.Equal((0.9, 0, 1.0, 0.0, 1.0), (trl.Temperature, trl.TopK, trl.TopP, trl.MinP, trl.RepetitionPenalty));
        Assert.Equal(new[] { 151645 }, trl.EosTokenIds);
        Assert.Equal(151643, trl.PadTokenId);
    }

    [Fact]
    public void TemperatureZeroMeansGreedyAndBadValuesNameTheOption()
    {
        Assert.False(new GenerationOptions { DoSample = true, Temperature = 0 }.Resolve(null).DoSample);
        Assert.Contains("top_p", Assert.Throws<ArgumentException>(() => new GenerationOptions { TopP = 1.5 }.Resolve(null)).Message);
        Assert.Contains("max_new_tokens", Assert.Throws<ArgumentException>(() => new GenerationOptions { MaxNewTokens = 0 }.Resolve(null)).Message);
        Assert.Contains("eos_token_id", Assert.Throws<InvalidDataException>(() => GenerationConfigFile.Parse("""{"eos_token_id": "x"}""", "g.json")).Message);
    }
}
