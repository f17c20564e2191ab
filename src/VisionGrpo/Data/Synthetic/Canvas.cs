using SkiaSharp;
using VisionGrpo.Data.Rng;

namespace VisionGrpo.Data.Synthetic;

/// <summary>
/// A small white drawing surface. Digits are drawn as seven-segment strokes rather than with a font: no system
/// font is needed, and every machine renders the same pixels.
/// </summary>
internal sealed class Canvas : IDisposable
{
    static readonly SKColor[] Palette =
    [
        new(220, 50, 47), new(38, 139, 210), new(133, 153, 0), new(211, 54, 130),
        new(108, 113, 196), new(203, 75, 22), new(42, 161, 152), new(88, 88, 88),
    ];

    // Segments a..g of digits 0-9 (a top, b upper right, c lower right, d bottom, e lower left, f upper left, g middle).
    static readonly string[] Segments = ["abcdef", "bc", "abdeg", "abcdg", "bcfg", "acdfg", "acdefg", "abc", "abcdefg", "abcdfg"];

    readonly SKSurface _surface;

    public Canvas(int size)
    {
        Size = size;
        _surface = SKSurface.Create(new SKImageInfo(size, size, SKColorType.Rgba8888, SKAlphaType.Premul))
            ?? throw new InvalidOperationException("SkiaSharp could not create a drawing surface");
        Draw.Clear(SKColors.White);
    }

    public int Size { get; }

    public SKCanvas Draw => _surface.Canvas;

    public static SKColor PickColor(NumpyRandom rng) => Palette[rng.Integers(0, Palette.Length)];

    public static SKPaint Fill(SKColor color) => new() { Color = color, IsAntialias = true, Style = SKPaintStyle.Fill };

    public static SKPaint Stroke(SKColor color, float width) =>
        new() { Color = color, IsAntialias = true, Style = SKPaintStyle.Stroke, StrokeWidth = width, StrokeCap = SKStrokeCap.Round };

    /// <summary>Draws a non-negative integer centred at (cx, cy) with digits of the given height.</summary>
    public void Number(int value, float cx, float cy, float height, SKColor color)
    {
        string digits = value.ToString(System.Globalization.CultureInfo.InvariantCulture);
        float w = height * 0.5f, gap = height * 0.25f;
        float total = digits.Length * w + (digits.Length - 1) * gap;
        using var paint = Stroke(color, Math.Max(1.5f, height / 7f));
        for (int i = 0; i < digits.Length; i++)
            Digit(digits[i] - '0', cx - total / 2 + i * (w + gap), cy - height / 2, w, height, paint);
    }

    void Digit(int d, float x, float y, float w, float h, SKPaint paint)
    {
        float m = y + h / 2, r = x + w, b = y + h;
        foreach (char s in Segments[d])
        {
            var (x0, y0, x1, y1) = s switch
            {
                'a' => (x, y, r, y),
                'b' => (r, y, r, m),
                'c' => (r, m, r, b),
                'd' => (x, b, r, b),
                'e' => (x, m, x, b),
                'f' => (x, y, x, m),
                _ => (x, m, r, m),
            };
            Draw.DrawLine(x0, y0, x1, y1, paint);
        }
    }

    /// <summary>The picture as PNG bytes.</summary>
    public byte[] ToPng()
    {
        using var image = _surface.Snapshot();
        using var data = image.Encode(SKEncodedImageFormat.Png, 100);
        return data.ToArray();
    }

    public void Dispose() => _surface.Dispose();
}
