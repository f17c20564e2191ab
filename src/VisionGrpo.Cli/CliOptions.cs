using System.CommandLine;

namespace VisionGrpo.Cli;

/// <summary>Options shared by several verbs.</summary>
internal static class CliOptions
{
    /// <summary>Show stack traces on errors.</summary>
    public static readonly Option<bool> Verbose = new("--verbose", "-v")
    {
        Description = "Show full exception details on errors.",
        Recursive = true,
    };
}
