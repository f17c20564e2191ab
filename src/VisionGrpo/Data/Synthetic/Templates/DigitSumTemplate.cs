using VisionGrpo.Data.Rng;

namespace VisionGrpo.Data.Synthetic.Templates;

/// <summary>"What is the sum of the two numbers?": two labelled digits side by side.</summary>
internal sealed class DigitSumTemplate : ISynthTemplate
{
    /// <inheritdoc/>
    public string Claim(int answer) => $"The two numbers add up to {answer}.";

    /// <inheritdoc/>
    public string Name => "digit_sum";

    /// <inheritdoc/>
    public SynthExample Make(NumpyRandom rng, SynthSettings s)
    {
        int a = (int)rng.Integers(0, s.MaxValue + 1), b = (int)rng.Integers(0, s.MaxValue + 1);
        using var canvas = new Canvas(s.Size);
        float h = s.Size * 0.38f;
        var ca = Canvas.PickColor(rng);
        var cb = Canvas.PickColor(rng);
        using var frame = Canvas.Stroke(SkiaSharp.SKColors.Gray, 1f);
        canvas.Draw.DrawRect(2, s.Size * 0.2f, s.Size / 2f - 4, s.Size * 0.6f, frame);
        canvas.Draw.DrawRect(s.Size / 2f + 2, s.Size * 0.2f, s.Size / 2f - 4, s.Size * 0.6f, frame);
        canvas.Number(a, s.Size * 0.25f, s.Size / 2f, h, ca);
        canvas.Number(b, s.Size * 0.75f, s.Size / 2f, h, cb);
        return SynthExample.Create(Name, canvas.ToPng(),
            "What is the sum of the two numbers shown in the image?",
            "Two numbers are written in the figure. Find their sum.",
            [$"The numbers are {a} and {b}.", $"{a} + {b} = {a + b}."],
            a + b);
    }
}
