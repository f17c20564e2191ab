namespace VisionGrpo.Data.Synthetic;

/// <summary>How hard the synthetic problems are: image size and the range of counts/values.</summary>
public enum SynthDifficulty
{
    /// <summary>56 px images (4 vision tokens), answers up to about 9.</summary>
    Easy,

    /// <summary>84 px images (9 vision tokens), answers up to about 12–18.</summary>
    Medium,

    /// <summary>112 px images (16 vision tokens), wider ranges and more distractors.</summary>
    Hard,

    /// <summary>
    /// 56 px images (4 vision tokens) made for a from-scratch tiny vision tower: at most one large dot in each 28 px
    /// quadrant (the area one merged vision token covers), so 1–4 dots; other tasks as <see cref="Easy"/>.
    /// </summary>
    Demo,
}

/// <summary>The numeric knobs behind a <see cref="SynthDifficulty"/>.</summary>
/// <param name="Size">Square image side in pixels (a multiple of 28, Qwen2.5-VL's merged patch).</param>
/// <param name="MaxDots">Most dots in a counting image.</param>
/// <param name="Bars">Number of bars in a chart.</param>
/// <param name="MaxValue">Largest digit value shown (bars, addends).</param>
/// <param name="DotGrid">0: dots anywhere; n: at most one dot per cell of an n×n grid (dots sized to the cell).</param>
public readonly record struct SynthSettings(int Size, int MaxDots, int Bars, int MaxValue, int DotGrid = 0)
{
    /// <summary>The settings for a difficulty level.</summary>
    public static SynthSettings For(SynthDifficulty d) => d switch
    {
        SynthDifficulty.Easy => new(56, 5, 3, 9),
        SynthDifficulty.Medium => new(84, 9, 4, 9),
        SynthDifficulty.Demo => new(56, 4, 3, 9, DotGrid: 2),
        _ => new(112, 12, 5, 9),
    };
}
