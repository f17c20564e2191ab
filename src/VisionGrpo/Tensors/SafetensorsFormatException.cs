namespace VisionGrpo.Tensors;

/// <summary>
/// A safetensors file (or sharded checkpoint index) is malformed: truncated, a header that is not the JSON the
/// format requires, offsets that do not tile the data buffer, an unknown dtype, and so on. The message names the
/// file and the problem.
/// </summary>
public sealed class SafetensorsFormatException : Exception
{
    /// <summary>Creates the exception for <paramref name="path"/> with a description of <paramref name="problem"/>.</summary>
    public SafetensorsFormatException(string path, string problem, Exception? inner = null)
        : base($"{path}: not a valid safetensors file: {problem}", inner)
    {
        FilePath = path;
        Problem = problem;
    }

    /// <summary>The file that failed validation.</summary>
    public string FilePath { get; }

    /// <summary>What is wrong with it, without the file name.</summary>
    public string Problem { get; }
}
