using System.CommandLine;

namespace VisionGrpo.Cli;

/// <summary>Options shared by several verbs, and old option spellings kept working.</summary>
internal static class CliOptions
{
    /// <summary>Show stack traces on errors.</summary>
    public static readonly Option<bool> Verbose = new("--verbose", "-v")
    {
        Description = "Show full exception details on errors.",
        Recursive = true,
    };

    /// <summary>
    /// An old spelling of <paramref name="current"/> (e.g. <c>--out</c> for <c>--output</c>) that scripts may still
    /// use: accepted, but left out of --help. Read both with <see cref="ValueOf"/>.
    /// </summary>
    public static Option<T> OldSpelling<T>(string name, Option<T> current) =>
        new(name) { Hidden = true, Description = $"Old spelling of {current.Name}." };

    /// <summary>The value of <paramref name="current"/>, or of its <paramref name="old"/> spelling when only that was given.</summary>
    public static T? ValueOf<T>(ParseResult parse, Option<T> current, Option<T> old) =>
        parse.GetResult(current) is null or { Implicit: true } && parse.GetResult(old) is { Implicit: false }
            ? parse.GetValue(old) : parse.GetValue(current);
}
