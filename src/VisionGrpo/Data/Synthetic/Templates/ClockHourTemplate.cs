using SkiaSharp;
using VisionGrpo.Data.Rng;

namespace VisionGrpo.Data.Synthetic.Templates;

/// <summary>"What hour does the clock show?": an analogue clock at an exact hour (minute hand on 12).</summary>
internal sealed class ClockHourTemplate : ISynthTemplate
{
    /// <inheritdoc/>
    public string Claim(int answer) => $"The hour hand points at {answer}.";

    /// <inheritdoc/>
    public string Name => "clock_hour";

    /// <inheritdoc/>
    public SynthExample Make(NumpyRandom rng, SynthSettings s)
    {
        int hour = (int)rng.Integers(1, 13);
        float c = s.Size / 2f, r = s.Size / 2f - 2;
        using var canvas = new Canvas(s.Size);
        using var rim = Canvas.Stroke(SKColors.Black, Math.Max(1.5f, s.Size / 40f));
        using var tick = Canvas.Stroke(SKColors.Black, Math.Max(1f, s.Size / 60f));
        using var hourHand = Canvas.Stroke(Canvas.PickColor(rng), Math.Max(2.5f, s.Size / 16f));
        using var minuteHand = Canvas.Stroke(SKColors.Black, Math.Max(1.2f, s.Size / 40f));
        canvas.Draw.DrawCircle(c, c, r, rim);
        for (int t = 0; t < 12; t++)
        {
            var (dx, dy) = Direction(t);
            float inner = t % 3 == 0 ? r * 0.75f : r * 0.85f;
            canvas.Draw.DrawLine(c + dx * inner, c + dy * inner, c + dx * r, c + dy * r, tick);
        }
        canvas.Draw.DrawLine(c, c, c, c - r * 0.85f, minuteHand);
        var (hx, hy) = Direction(hour % 12);
        canvas.Draw.DrawLine(c, c, c + hx * r * 0.5f, c + hy * r * 0.5f, hourHand);
        return SynthExample.Create(Name, canvas.ToPng(),
            "Based on the clock in the image, what hour is it? Answer with the hour as a number.",
            "As shown in the figure, what time does the clock show (in hours)?",
            ["The long minute hand points straight up at 12.", $"The short hour hand points at {hour}, so it is {hour} o'clock."],
            hour);
    }

    // Unit vector towards hour mark t (0 = 12 o'clock), y pointing down.
    static (float Dx, float Dy) Direction(int t)
    {
        double a = t * Math.PI / 6;
        return ((float)Math.Sin(a), -(float)Math.Cos(a));
    }
}
