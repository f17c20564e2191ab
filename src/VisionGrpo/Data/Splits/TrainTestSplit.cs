using System.Numerics;
using VisionGrpo.Data.Rng;

namespace VisionGrpo.Data.Splits;

/// <summary>The row indices of a train/test split, in the order <c>datasets</c> returns them.</summary>
/// <param name="Train">Rows of the train split.</param>
/// <param name="Test">Rows of the test split.</param>
internal sealed record TrainTestIndices(int[] Train, int[] Test);

/// <summary>
/// <c>Dataset.train_test_split</c> of Hugging Face <c>datasets</c> 5.0.1: same size rules (int = rows, float = fraction),
/// same checks and messages, and the same rows in the same order (numpy <c>default_rng(seed).permutation(n)</c>).
/// </summary>
internal static class TrainTestSplit
{
    /// <summary>The default test fraction when neither size is given.</summary>
    public const double DefaultTestSize = 0.25;

    /// <summary>Selects the train and test rows of a dataset with <paramref name="numRows"/> rows.</summary>
    /// <param name="numRows">Rows in the dataset being split.</param>
    /// <param name="testSize">Test size (int rows or float fraction), or null.</param>
    /// <param name="trainSize">Train size (int rows or float fraction), or null.</param>
    /// <param name="seed">numpy seed; null draws fresh entropy (not reproducible, as in Python).</param>
    /// <param name="shuffle">False keeps the order: train = first rows, test = the rows after them.</param>
    /// <exception cref="ArgumentException">Sizes that <c>datasets</c> rejects, with its message.</exception>
    public static TrainTestIndices Compute(int numRows, SplitSize? testSize, SplitSize? trainSize, BigInteger? seed, bool shuffle = true)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(numRows);
        if (numRows == 0) return new TrainTestIndices([], []);
        if (testSize is null && trainSize is null) testSize = SplitSize.OfFraction(DefaultTestSize);
        (int nTrain, int nTest) = Counts(numRows, testSize, trainSize);

        if (!shuffle)
            return new TrainTestIndices(Range(0, nTrain), Range(nTrain, nTest));
        var rng = seed is { } s ? new NumpyRandom(s) : NumpyRandom.FromEntropy();
        int[] perm = rng.Permutation(numRows);
        return new TrainTestIndices(perm[nTest..(nTest + nTrain)], perm[..nTest]);
    }

    /// <summary>The train and test row counts, with <c>datasets</c>' validation.</summary>
    public static (int Train, int Test) Counts(int n, SplitSize? testSize, SplitSize? trainSize)
    {
        CheckRange("test_size", testSize, n);
        CheckRange("train_size", trainSize, n);
        if (testSize is { IsFraction: true } tf && trainSize is { IsFraction: true } rf && rf.Fraction + tf.Fraction > 1)
            throw new ArgumentException(
                $"The sum of test_size and train_size = {PythonFormat.Float(rf.Fraction + tf.Fraction)}, should be in the (0, 1) range. Reduce test_size and/or train_size.");

        // Python keeps int-sized counts as floats (float(test_size)); that only shows in the sum message.
        PyNumber nTest = testSize is { } t ? (t.IsFraction ? PyNumber.Int(Ceil(t.Fraction * n)) : PyNumber.Float((double)t.Count)) : default;
        PyNumber nTrain = trainSize is { } r ? (r.IsFraction ? PyNumber.Int(Floor(r.Fraction * n)) : PyNumber.Float((double)r.Count)) : default;
        if (trainSize is null) nTrain = PyNumber.Of(n - nTest.Value, nTest.IsFloat);
        else if (testSize is null) nTest = PyNumber.Of(n - nTrain.Value, nTrain.IsFloat);

        var sum = PyNumber.Of(nTrain.Value + nTest.Value, nTrain.IsFloat || nTest.IsFloat);
        if (sum.Value > n)
            throw new ArgumentException(
                $"The sum of train_size and test_size = {sum}, should be smaller than the number of samples {n}. Reduce test_size and/or train_size.");
        if ((long)nTrain.Value == 0)
            throw new ArgumentException(
                $"With n_samples={n}, test_size={Show(testSize)} and train_size={Show(trainSize)}, the resulting train set will be empty. Adjust any of the aforementioned parameters.");
        return ((int)nTrain.Value, (int)nTest.Value);
    }

    static void CheckRange(string name, SplitSize? size, int n)
    {
        if (size is not { } s) return;
        bool bad = s.IsFraction ? s.Fraction <= 0 || s.Fraction >= 1 : s.Count >= n || s.Count <= 0;
        if (bad)
            throw new ArgumentException(
                $"{name}={s} should be either positive and smaller than the number of samples {n} or a float in the (0, 1) range");
    }

    static double Ceil(double x) => double.IsNaN(x) ? throw NaN() : Math.Ceiling(x);
    static double Floor(double x) => double.IsNaN(x) ? throw NaN() : Math.Floor(x);
    static ArgumentException NaN() => new("cannot convert float NaN to integer");

    static string Show(SplitSize? s) => s?.ToString() ?? "None";

    static int[] Range(int start, int count)
    {
        var a = new int[count];
        for (int i = 0; i < count; i++) a[i] = start + i;
        return a;
    }

    /// <summary>A count that remembers whether Python would hold it as an int or a float.</summary>
    readonly record struct PyNumber(double Value, bool IsFloat)
    {
        public static PyNumber Int(double v) => new(v, false);
        public static PyNumber Float(double v) => new(v, true);
        public static PyNumber Of(double v, bool isFloat) => new(v, isFloat);
        public override string ToString() => IsFloat ? PythonFormat.Float(Value) : ((long)Value).ToString(System.Globalization.CultureInfo.InvariantCulture);
    }
}
