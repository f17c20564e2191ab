using VisionGrpo.Data;
using VisionGrpo.Data.Validation;

namespace VisionGrpo.Training.Inputs;

/// <summary>
/// Training rows that turn out unusable only when a batch is built (an image that changed on disk since loading, a
/// size the processor refuses): each is reported once as a bad row and replaced by the next usable row, here and
/// in every later batch, so one bad row never ends a run. The replacement depends only on which rows are bad, so a
/// run resumed across such a row meets the same failure and makes the same replacement. With <c>bad_rows: fail</c>
/// the row's error ends the run instead, as it would have at load time.
/// </summary>
internal sealed class UsableRows(Dataset rows, BadRowReport report, bool failOnBadRow, Action<string>? warn)
{
    readonly HashSet<int> _unusable = [];

    /// <summary>Rows found unusable during training so far.</summary>
    public int Skipped => _unusable.Count;

    /// <summary>Builds a batch from rows <paramref name="indices"/>, replacing rows that fail to build.</summary>
    public T Build<T>(IReadOnlyList<int> indices, Func<IReadOnlyList<DatasetRow>, T> build)
    {
        var chosen = indices.Select(Replacement).ToArray();
        while (true)
        {
            try
            {
                return build(chosen.Select(i => rows[i]).ToArray());
            }
            catch (BadRowException e) when (!failOnBadRow)
            {
                _unusable.Add(chosen[e.Index]);
                report.Add(e.Row);
                warn?.Invoke($"skipped a training row that cannot be used ({_unusable.Count} so far): {e.Row}");
                chosen[e.Index] = Replacement(chosen[e.Index]);
            }
        }
    }

    // The row itself when usable, else the next usable one (cyclically).
    int Replacement(int index)
    {
        for (int k = 0; k < rows.Count; k++)
        {
            int candidate = (index + k) % rows.Count;
            if (!_unusable.Contains(candidate)) return candidate;
        }
        throw new InvalidDataException($"no usable training rows are left ({report.Summary()}).");
    }
}
