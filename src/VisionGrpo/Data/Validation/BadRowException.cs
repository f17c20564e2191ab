namespace VisionGrpo.Data.Validation;

/// <summary>
/// One row of a batch cannot be used (its image fails to decode or to be processed): thrown while a batch is built,
/// so a trainer can skip and count that row instead of ending the run.
/// </summary>
public sealed class BadRowException : IOException
{
    /// <summary>Creates the exception for row <paramref name="index"/> of the batch.</summary>
    public BadRowException(int index, RowSource source, string reason, Exception? inner = null)
        : base($"{source}: {reason}", inner)
    {
        Index = index;
        Row = new BadRow(source, reason);
    }

    /// <summary>Position of the row in the list the batch was built from.</summary>
    public int Index { get; }

    /// <summary>The row and the reason, for a <see cref="BadRowReport"/>.</summary>
    public BadRow Row { get; }
}
