namespace VisionGrpo.Generation;

/// <summary>
/// Which samples a generation request holds: the contiguous slice [First, First + Count) of its prompts'
/// prompt-major grid of G samples each (sample s of prompt p is grid entry p·G + s). A whole request is the full grid;
/// a data-parallel rank whose slice of a round cuts a prompt's group holds part of it. Sequence k of the request
/// draws from stream <c>firstStream + k</c>, so grid entry p·G + s draws from <c>firstStream − First + p·G + s</c>
/// whichever request generates it.
/// </summary>
internal readonly record struct SampleGrid(int Prompts, int G, int First, int Count, long FirstStream)
{
    /// <summary>Checks a request's slice: it starts inside the first prompt's group and reaches into the last one's.</summary>
    /// <exception cref="ArgumentOutOfRangeException">The slice does not fit the prompts.</exception>
    public static SampleGrid Of(int prompts, int g, int first, int? count, long firstStream)
    {
        if (first < 0 || first >= g)
            throw new ArgumentOutOfRangeException(nameof(first), $"the first sample index must be in [0, num_generations {g}), got {first}.");
        int n = count ?? prompts * g - first;
        if (n <= 0 || (first + n + g - 1) / g != prompts)
            throw new ArgumentOutOfRangeException(nameof(count),
                $"{n} samples from sample {first} on do not cover exactly {prompts} prompt(s) of {g} samples each (every prompt needs at least one).");
        return new(prompts, g, first, n, firstStream);
    }

    /// <summary>The samples [lo, hi) prompt <paramref name="p"/> of the request holds.</summary>
    public (int Lo, int Hi) SamplesOf(int p) => (p == 0 ? First : 0, Math.Min(G, First + Count - p * G));

    /// <summary>Sequences of the request before prompt <paramref name="p"/>.</summary>
    public int RowsBefore(int p) => p == 0 ? 0 : p * G - First;

    /// <summary>The random stream of prompt <paramref name="p"/>'s sample <paramref name="s"/> (sample 0 also keys its prefill).</summary>
    public long Stream(int p, int s) => FirstStream - First + (long)p * G + s;

    /// <summary>(prompt relative to <paramref name="start"/>, sample) of every sequence of prompts [start, start + count).</summary>
    public (int[] Prompt, int[] Sample) Rows(int start, int count)
    {
        var prompt = new List<int>();
        var sample = new List<int>();
        for (int p = 0; p < count; p++)
        {
            var (lo, hi) = SamplesOf(start + p);
            for (int s = lo; s < hi; s++) { prompt.Add(p); sample.Add(s); }
        }
        return (prompt.ToArray(), sample.ToArray());
    }
}
