using SkiaSharp;
using VisionGrpo.Data.Rng;

namespace VisionGrpo.Data.Synthetic.Templates;

/// <summary>"How many dots are there?": 1..MaxDots non-overlapping dots of one colour.</summary>
internal sealed class CountDotsTemplate : ISynthTemplate
{
    /// <inheritdoc/>
    // The count is stated once, in the answer: a tiny model then has one token to get right, not a number to copy.
    public string Claim(int answer) => "I count the dots.";

    /// <inheritdoc/>
    public string Name => "count_dots";

    /// <inheritdoc/>
    public SynthExample Make(NumpyRandom rng, SynthSettings s)
    {
        int n = (int)rng.Integers(1, s.MaxDots + 1);
        if (s.DotGrid > 0) return OnePerCell(rng, s, n);
        float r = s.Size / 14f;
        var centres = new List<SKPoint>();
        // Rejection sampling; after many misses accept a tighter gap so generation always terminates.
        for (int attempt = 0; centres.Count < n; attempt++)
        {
            float gap = attempt < 2000 ? 2.6f * r : 2.05f * r;
            var p = new SKPoint(r + 1 + (float)rng.Random() * (s.Size - 2 * r - 2), r + 1 + (float)rng.Random() * (s.Size - 2 * r - 2));
            if (centres.All(c => SKPoint.Distance(c, p) >= gap)) centres.Add(p);
        }
        return Draw(rng, s, centres, r, n);
    }

    // n of the grid's cells (chosen at random) get one dot each, a quarter of the cell wide, anywhere inside its cell.
    SynthExample OnePerCell(NumpyRandom rng, SynthSettings s, int n)
    {
        int grid = s.DotGrid;
        if (n > grid * grid) throw new ArgumentException($"{n} dots do not fit one per cell of a {grid}x{grid} grid");
        float cell = s.Size / (float)grid, r = cell / 4;
        var centres = rng.Permutation(grid * grid)[..n].Select(k => new SKPoint(
            (k % grid) * cell + r + 1 + (float)rng.Random() * (cell - 2 * r - 2),
            (k / grid) * cell + r + 1 + (float)rng.Random() * (cell - 2 * r - 2))).ToList();
        return Draw(rng, s, centres, r, n);
    }

    SynthExample Draw(NumpyRandom rng, SynthSettings s, List<SKPoint> centres, float r, int n)
    {
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
