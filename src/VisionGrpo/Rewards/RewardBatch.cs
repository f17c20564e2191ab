namespace VisionGrpo.Rewards;

/// <summary>
/// One reward call's input, as TRL passes it: prompts, completions (aligned) and every other dataset column as a
/// list aligned with the completions (e.g. <c>solution</c>).
/// </summary>
public sealed class RewardBatch
{
    /// <summary>Creates a batch; every column must have one value per completion.</summary>
    /// <exception cref="ArgumentException">Lengths differ (the message names the column).</exception>
    public RewardBatch(IReadOnlyList<string> prompts, IReadOnlyList<string> completions, IReadOnlyDictionary<string, IReadOnlyList<object?>>? columns = null)
    {
        ArgumentNullException.ThrowIfNull(prompts);
        ArgumentNullException.ThrowIfNull(completions);
        if (prompts.Count != completions.Count)
            throw new ArgumentException($"reward batch has {prompts.Count} prompts but {completions.Count} completions", nameof(prompts));
        columns ??= new Dictionary<string, IReadOnlyList<object?>>();
        foreach (var (name, values) in columns)
            if (values.Count != completions.Count)
                throw new ArgumentException($"reward batch column '{name}' has {values.Count} values for {completions.Count} completions", nameof(columns));
        Prompts = prompts;
        Completions = completions;
        Columns = columns;
    }

    /// <summary>Prompts (one per completion; repeated for each generation of a prompt).</summary>
    public IReadOnlyList<string> Prompts { get; }

    /// <summary>Completions to score.</summary>
    public IReadOnlyList<string> Completions { get; }

    /// <summary>The dataset's other columns, aligned with <see cref="Completions"/>.</summary>
    public IReadOnlyDictionary<string, IReadOnlyList<object?>> Columns { get; }

    /// <summary>Number of completions.</summary>
    public int Count => Completions.Count;

    /// <summary>The string value of a column for completion <paramref name="index"/>.</summary>
    /// <exception cref="KeyNotFoundException">The column is missing (the message names it and lists the available ones).</exception>
    public string ColumnString(string column, int index)
    {
        if (!Columns.TryGetValue(column, out var values))
            throw new KeyNotFoundException($"reward needs the dataset column '{column}', but the batch has: {string.Join(", ", Columns.Keys.DefaultIfEmpty("(none)"))}");
        return values[index]?.ToString() ?? "";
    }
}
