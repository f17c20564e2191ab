using System.Collections.Concurrent;
using System.Text.Json.Nodes;

namespace VisionGrpo.Cli;

/// <summary>
/// Row-level failures of a batch command (<c>math verify</c>, <c>reward</c>): a row that cannot be evaluated gets an
/// <c>error</c> field in the output and the command goes on with the others; once the output is written,
/// <see cref="ThrowIfAny"/> turns the failures into one <c>error: …</c> line and a non-zero exit.
/// </summary>
internal sealed class RowErrors(string inputPath)
{
    readonly ConcurrentDictionary<int, string> _byLine = new();

    /// <summary>Number of failed rows so far.</summary>
    public int Count => _byLine.Count;

    /// <summary>Marks the output row of input line <paramref name="line"/> as failed with <paramref name="message"/>.</summary>
    public void Add(JsonObject outputRow, int line, string message)
    {
        outputRow["error"] = message;
        _byLine[line] = message;
    }

    /// <summary>Throws one exception naming how many rows failed and the first few, if any did.</summary>
    /// <exception cref="InvalidDataException">Some rows failed.</exception>
    public void ThrowIfAny(int totalRows, string outputPath)
    {
        if (_byLine.IsEmpty) return;
        var first = _byLine.OrderBy(kv => kv.Key).Take(3).Select(kv => $"{inputPath}:{kv.Key}: {kv.Value}");
        throw new InvalidDataException(
            $"{_byLine.Count} of {totalRows} rows could not be evaluated (the other rows' results are in '{outputPath}'; " +
            $"failed rows carry an 'error' field): {string.Join("; ", first)}{(_byLine.Count > 3 ? "; …" : "")}");
    }
}
