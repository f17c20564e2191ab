namespace VisionGrpo.Cli.Commands;

/// <summary>
/// Runs a verb whose error text is compared verbatim with Python's (split strings, train_test_split sizes):
/// invalid input is printed as one unwrapped <c>error: …</c> line on stderr and exits 1, because the shared
/// console renderer wraps long messages at the terminal width.
/// </summary>
internal static class PlainErrors
{
    public static int Run(Func<int> action)
    {
        try
        {
            return action();
        }
        catch (ArgumentException e)
        {
            Console.Error.WriteLine("error: " + e.Message.ReplaceLineEndings(" "));
            return 1;
        }
    }
}
