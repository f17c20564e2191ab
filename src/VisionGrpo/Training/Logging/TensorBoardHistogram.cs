namespace VisionGrpo.Training.Logging;

/// <summary>
/// <c>add_histogram(..., bins="tensorflow")</c> as torch's writer computes it: the default bucket edges
/// (±1e-12·1.1^k up to 1e20, and 0), numpy-style counting (left-closed bins, last bin closed), the support trimmed to
/// one empty bucket left of the first non-empty one through the last non-empty one, and numpy's float64 sum
/// (pairwise) and sum of squares.
/// </summary>
internal static class TensorBoardHistogram
{
    static readonly Lazy<double[]> DefaultEdges = new(() =>
    {
        var positive = new List<double>();
        for (double v = 1e-12; v < 1e20; v *= 1.1) positive.Add(v);
        var edges = positive.Select(v => -v).Reverse().ToList();
        edges.Add(0);
        edges.AddRange(positive);
        return edges.ToArray();
    });

    public sealed record Proto(double Min, double Max, double Num, double Sum, double SumSquares, double[] BucketLimit, double[] Bucket);

    public static Proto Compute(IReadOnlyList<double> values)
    {
        if (values.Count == 0) throw new ArgumentException("add_histogram: the input has no element.");
        if (values.Any(v => !double.IsFinite(v))) throw new ArgumentException("add_histogram: values must be finite.");
        double[] edges = DefaultEdges.Value;
        var counts = new long[edges.Length - 1];
        foreach (double v in values)
        {
            if (v < edges[0] || v > edges[^1]) continue; // numpy drops values outside the range
            int i = Array.BinarySearch(edges, v);
            int bin = i >= 0 ? Math.Min(i, counts.Length - 1) : ~i - 1;
            counts[bin]++;
        }
        int first = Array.FindIndex(counts, c => c > 0), last = Array.FindLastIndex(counts, c => c > 0);
        // Buckets [first−1 … last] with right edges edges[first … last+1]; an empty bucket at −∞ if first is 0.
        var bucket = new List<double>();
        bucket.Add(first > 0 ? counts[first - 1] : 0);
        for (int b = first; b <= last; b++) bucket.Add(counts[b]);
        var limits = edges[first..(last + 2)];
        double sumSquares = 0;
        foreach (double v in values) sumSquares += v * v;
        return new Proto(values.Min(), values.Max(), values.Count, PairwiseSum(values, 0, values.Count), sumSquares, limits, bucket.ToArray());
    }

    /// <summary>numpy's pairwise summation (8 accumulators below 128 elements, halving above).</summary>
    static double PairwiseSum(IReadOnlyList<double> a, int start, int n)
    {
        if (n < 8)
        {
            double s = 0;
            for (int i = 0; i < n; i++) s += a[start + i];
            return s;
        }
        if (n <= 128)
        {
            var r = new double[8];
            for (int j = 0; j < 8; j++) r[j] = a[start + j];
            int i = 8;
            for (; i < n - n % 8; i += 8)
                for (int j = 0; j < 8; j++) r[j] += a[start + i + j];
            double res = ((r[0] + r[1]) + (r[2] + r[3])) + ((r[4] + r[5]) + (r[6] + r[7]));
            for (; i < n; i++) res += a[start + i];
            return res;
        }
        int half = n / 2;
        half -= half % 8;
        return PairwiseSum(a, start, half) + PairwiseSum(a, start + half, n - half);
    }
}
