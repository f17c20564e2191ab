using VisionGrpo.Data.Rng;

namespace VisionGrpo.Data.Synthetic.Templates;

/// <summary>"What is the value of the tallest bar?": a bar chart with distinct values written on the bars.</summary>
internal sealed class TallestBarTemplate : ISynthTemplate
{
    /// <inheritdoc/>
    public string Claim(int answer) => $"The tallest bar is labelled {answer}.";

    /// <inheritdoc/>
    public string Name => "tallest_bar";

    /// <inheritdoc/>
    public SynthExample Make(NumpyRandom rng, SynthSettings s)
    {
        int[] pool = rng.Permutation(s.MaxValue);
        int[] values = pool[..s.Bars].Select(v => v + 1).ToArray();
        int max = values.Max();

        using var canvas = new Canvas(s.Size);
        float label = s.Size / 6f, top = label * 1.6f, bottom = s.Size - 2f;
        float slot = (s.Size - 4f) / s.Bars, width = slot * 0.7f;
        var color = Canvas.PickColor(rng);
        using var fill = Canvas.Fill(color);
        using var axis = Canvas.Stroke(SkiaSharp.SKColors.Black, 1f);
        canvas.Draw.DrawLine(1, bottom, s.Size - 1, bottom, axis);
        for (int i = 0; i < values.Length; i++)
        {
            float h = (bottom - top) * values[i] / s.MaxValue;
            float x = 2f + i * slot + (slot - width) / 2;
            canvas.Draw.DrawRect(x, bottom - h, width, h, fill);
            canvas.Number(values[i], x + width / 2, bottom - h - label * 0.75f, label, SkiaSharp.SKColors.Black);
        }
        return SynthExample.Create(Name, canvas.ToPng(),
            "Based on the bar chart, what is the value of the tallest bar?",
            "The bar chart shows several values. What is the largest value in the chart?",
            [$"The bars are labelled {string.Join(", ", values)}.", $"The tallest bar is the one labelled {max}."],
            max);
    }
}
