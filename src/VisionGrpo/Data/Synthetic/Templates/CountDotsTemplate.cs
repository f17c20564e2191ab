using SkiaSharp;
using VisionGrpo.Data.Rng;

namespace VisionGrpo.Data.Synthetic.Templates;

/// <summary>"How many dots are there?": 1..MaxDots non-overlapping dots of one colour.</summary>
public sealed class CountDotsTemplate : ISynthTemplate
{
    /// <inheritdoc/>
    public string Claim(int answer) => answer == 1 ? "I count 1 dot." : $"I count {answer} dots.";

    /// <inheritdoc/>
    public string Name => "count_dots";

    /// <inheritdoc/>
    public SynthExample Make(NumpyRandom rng, SynthSettings s)
    {
        int n = (int)rng.Integers(1, s.MaxDots + 1);
        float r = s.Size / 14f;
        var centres = new List<SKPoint>();
        // Rejection sampling; after many misses accept a tighter gap so generation always terminates.
        for (int attempt = 0; centres.Count < n; attempt++)
        {
            float gap = attempt < 2000 ? 2.6f * r : 2.05f * r;
            var p = new SKPoint(r + 1 + (float)rng.Random() * (s.Size - 2 * r - 2), r + 1 + (float)rng.Random() * (s.Size - 2 * r - 2));
            if (centres.All(c => SKPoint.Distance(c, p) >= gap)) centres.Add(p);
        }
        using var canvas = new Canvas(s.Size);
        using var paint = Canvas.Fill(Canvas.PickColor(rng));
        foreach (var c in centres) canvas.Draw.DrawCircle(c, r, paint);

        var counting = string.Join(", ", Enumerable.Range(1, n));
        return SynthExample.Create(Name, canvas.ToPng(),
            "How many dots are there in the image?",
            "As shown in the figure, how many dots are there?",
            [$"I count the dots one by one: {counting}.", $"There are {n} dots."],
            n);
    }
}
