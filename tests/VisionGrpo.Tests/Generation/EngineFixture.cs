using VisionGrpo.Generation;
using VisionGrpo.Models;
using VisionGrpo.Tests.Models;
using static TorchSharp.torch;

namespace VisionGrpo.Tests.Generation;

/// <summary>Shared helpers: the tiny fixture model, its prompts, and generation settings.</summary>
internal static class EngineFixture
{
    /// <summary>The fixture's <c>&lt;|im_end|&gt;</c>; never produced greedily in the golden cases.</summary>
    public const int ImEnd = 1002;
    public const int Pad = 1000;

    public static ResolvedGeneration Greedy(int maxNewTokens, params int[] eos) =>
        new GenerationOptions { MaxNewTokens = maxNewTokens, DoSample = false, EosTokenIds = eos.Length > 0 ? eos : [ImEnd], PadTokenId = Pad }
            .Resolve(null);

    public static ResolvedGeneration Sampling(int maxNewTokens, long seed, double temperature = 1.0) =>
        new GenerationOptions { MaxNewTokens = maxNewTokens, DoSample = true, Temperature = temperature, TopK = 0, Seed = seed, EosTokenIds = [ImEnd], PadTokenId = Pad }
            .Resolve(null);

    /// <summary>Prompt row <paramref name="row"/> of a case with its padding removed (text-only cases).</summary>
    public static QwenVLInputs TextRow(Dictionary<string, Tensor> c, int row)
    {
        var mask = c["attention_mask"][row];
        long real = mask.sum().item<long>();
        long length = mask.shape[0];
        return new QwenVLInputs
        {
            InputIds = c["input_ids"][row].narrow(0, length - real, real).unsqueeze(0),
            AttentionMask = mask.narrow(0, length - real, real).unsqueeze(0),
        };
    }

    public static int[][] Ids(GenerationOutput output) => output.Sequences.Select(s => s.CompletionIds).ToArray();

    public static int[] GoldenRow(Dictionary<string, Tensor> c, int row) =>
        TinyFixture.Longs(c["generated_ids"][row]).Select(i => (int)i).ToArray();
}
