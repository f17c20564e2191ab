using System.Collections;

namespace VisionGrpo.Data;

/// <summary>
/// One row: column name → value. Values are <see cref="string"/>, <see cref="long"/>, <see cref="double"/>,
/// <see cref="bool"/>, <see cref="ImageCell"/>, <see cref="IReadOnlyList{T}"/> of those, or null.
/// </summary>
public sealed class DatasetRow : IReadOnlyDictionary<string, object?>
{
    readonly IReadOnlyList<string> _columns;
    readonly object?[] _values;

    /// <summary>Creates a row over <paramref name="columns"/> (shared across rows) and its values.</summary>
    public DatasetRow(IReadOnlyList<string> columns, object?[] values, RowSource source)
    {
        if (columns.Count != values.Length)
            throw new ArgumentException($"{source}: {values.Length} values for {columns.Count} columns");
        _columns = columns;
        _values = values;
        Source = source;
    }

    /// <summary>Where the row was read from.</summary>
    public RowSource Source { get; }

    /// <summary>The value of <paramref name="column"/>.</summary>
    /// <exception cref="KeyNotFoundException">No such column (the message lists the columns).</exception>
    public object? this[string column] => TryGetValue(column, out var v) ? v
        : throw new KeyNotFoundException($"{Source}: no column '{column}' (columns: {string.Join(", ", _columns)})");

    /// <summary>The value of a string column (null stays null).</summary>
    public string? GetString(string column) => this[column] switch
    {
        null => null,
        string s => s,
        var other => Convert.ToString(other, System.Globalization.CultureInfo.InvariantCulture),
    };

    /// <summary>The value of an image column.</summary>
    public ImageCell? GetImage(string column) => this[column] switch
    {
        null => null,
        ImageCell c => c,
        var other => throw new InvalidDataException($"{Source}: column '{column}' holds {other.GetType().Name}, not an image"),
    };

    /// <summary>
    /// The images of <paramref name="column"/> in order: a single image (<c>image</c>), a list of images (TRL's
    /// <c>images</c> column, <c>Sequence(Image)</c>), or none when the cell is null or an empty list.
    /// </summary>
    /// <exception cref="InvalidDataException">The cell, or an element of the list, is not an image (row and position named).</exception>
    public IReadOnlyList<ImageCell> GetImages(string column) => this[column] switch
    {
        null => [],
        ImageCell c => [c],
        IEnumerable<object?> list => list.Select((v, i) => v as ImageCell ?? throw new InvalidDataException(
            $"{Source}: column '{column}' element {i} holds {v?.GetType().Name ?? "null"}, not an image")).ToArray(),
        var other => throw new InvalidDataException($"{Source}: column '{column}' holds {other.GetType().Name}, not an image or a list of images"),
    };

    /// <inheritdoc/>
    public IEnumerable<string> Keys => _columns;

    /// <inheritdoc/>
    public IEnumerable<object?> Values => _values;

    /// <inheritdoc/>
    public int Count => _values.Length;

    /// <inheritdoc/>
    public bool ContainsKey(string key) => IndexOf(key) >= 0;

    /// <inheritdoc/>
    public bool TryGetValue(string key, out object? value)
    {
        int i = IndexOf(key);
        value = i >= 0 ? _values[i] : null;
        return i >= 0;
    }

    int IndexOf(string key)
    {
        for (int i = 0; i < _columns.Count; i++)
            if (_columns[i] == key) return i;
        return -1;
    }

    /// <inheritdoc/>
    public IEnumerator<KeyValuePair<string, object?>> GetEnumerator()
    {
        for (int i = 0; i < _values.Length; i++) yield return new(_columns[i], _values[i]);
    }

    IEnumerator IEnumerable.GetEnumerator() => GetEnumerator();
}
