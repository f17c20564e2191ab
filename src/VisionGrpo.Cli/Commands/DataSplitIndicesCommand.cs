using System.CommandLine;
using System.Globalization;
using System.Numerics;
using VisionGrpo.Data.Splits;

namespace VisionGrpo.Cli.Commands;

/// <summary><c>visiongrpo data split-indices</c>: the rows <c>Dataset.train_test_split</c> would select, as JSON.</summary>
internal static class DataSplitIndicesCommand
{
    public static Command Create()
    {
        var numRows = new Option<int>("--num-rows") { Description = "Rows in the dataset being split.", Required = true };
        var testSize = new Option<string?>("--test-size") { Description = "Test size: a float (0.2, 1e-05) is a fraction, an int (77) a row count. Default 0.25 when --train-size is absent too." };
        var trainSize = new Option<string?>("--train-size") { Description = "Train size: float fraction or int row count (default: the complement of the test size)." };
        var seed = new Option<string?>("--seed") { Description = "numpy seed (default_rng(seed)); omitted = fresh entropy, not reproducible." };
        var noShuffle = new Option<bool>("--no-shuffle") { Description = "Keep row order: train = first rows, test = the following rows." };
        var command = new Command("split-indices", "Print the train/test row indices of train_test_split as JSON {\"train\": [...], \"test\": [...]}.")
        {
            numRows, testSize, trainSize, seed, noShuffle,
        };
        command.SetAction(parse => PlainErrors.Run(() =>
        {
            var result = TrainTestSplit.Compute(
                parse.GetValue(numRows),
                ParseSize(parse.GetValue(testSize), "--test-size"),
                ParseSize(parse.GetValue(trainSize), "--train-size"),
                ParseSeed(parse.GetValue(seed)),
                shuffle: !parse.GetValue(noShuffle));
            Console.Out.WriteLine(PyJson.Object(("train", PyJson.IntList(result.Train)), ("test", PyJson.IntList(result.Test))));
            return 0;
        }));
        return command;
    }

    static SplitSize? ParseSize(string? text, string option)
    {
        if (text is null || text == "None") return null;
        try { return SplitSize.Parse(text); }
        catch (FormatException e) { throw new ArgumentException($"{option}: {e.Message}", e); }
    }

    static BigInteger? ParseSeed(string? text)
    {
        if (text is null || text == "None") return null;
        if (!BigInteger.TryParse(text.Trim().Replace("_", ""), NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out var seed))
            throw new ArgumentException($"--seed: '{text}' is not an integer");
        return seed;
    }
}
