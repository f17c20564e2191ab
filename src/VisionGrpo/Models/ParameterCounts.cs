using VisionGrpo.Models.Qwen2;

namespace VisionGrpo.Models;

/// <summary>
/// Parameter counts derived from a config alone (nothing is allocated), split like <c>visiongrpo model info</c>
/// prints them. A tied LM head is counted once, inside <see cref="Language"/>, as HF's <c>num_parameters()</c> does.
/// </summary>
public sealed record ParameterCounts(long Vision, long Language, long LmHead)
{
    /// <summary>All parameters.</summary>
    public long Total => Vision + Language + LmHead;

    /// <summary>Counts for <paramref name="config"/>.</summary>
    public static ParameterCounts FromConfig(QwenVLConfig config)
    {
        var t = config.Text;
        long vision = config.Vision?.ParameterCount() ?? 0;
        long lmHead = t.TieWordEmbeddings ? 0 : (long)t.VocabSize * t.HiddenSize;
        return new ParameterCounts(vision, TextCount(t), lmHead);
    }

    /// <summary>Embedding, decoder layers and final norm of the text model (no untied head).</summary>
    public static long TextCount(Qwen2TextConfig t)
    {
        long h = t.HiddenSize, q = t.QueryWidth, kv = t.KeyValueWidth;
        long attention = h * q + 2 * h * kv + q * h
            + (t.QkvBias ? q + 2 * kv : 0) + (t.OutputBias ? h : 0) + (t.QkNorm ? 2L * t.HeadDim : 0);
        long mlp = 3 * h * t.IntermediateSize;
        long layer = attention + mlp + 2 * h;
        return (long)t.VocabSize * h + t.NumHiddenLayers * layer + h;
    }
}
