using System.Globalization;
using VisionGrpo.Data.Loading;

namespace VisionGrpo.Data;

public abstract partial class Dataset
{
    /// <summary>
    /// An in-memory dataset from rows of column → value (like <c>datasets.Dataset.from_list</c>): strings, integers,
    /// floating-point numbers, booleans, images (<see cref="ImageCell"/>, or encoded PNG/JPEG bytes) or lists of
    /// images, or null. Columns are the union of the rows' keys in first-seen order; a row without a column holds null.
    /// </summary>
    /// <param name="rows">The rows, e.g. <c>new Dictionary&lt;string, object?&gt; { ["problem"] = "2+2?", ["solution"] = "4" }</c>.</param>
    /// <param name="name">A name for messages.</param>
    /// <exception cref="ArgumentException">A value of another type, or a column whose rows hold different types (row and column named).</exception>
    public static Dataset FromRows(IEnumerable<IReadOnlyDictionary<string, object?>> rows, string name = "in-memory rows")
    {
        ArgumentNullException.ThrowIfNull(rows);
        var list = rows.ToList();
        var columns = list.SelectMany(r => r.Keys).Distinct().ToList();
        var features = new Feature?[columns.Count];
        var values = new List<object?[]>(list.Count);
        var sources = new List<RowSource>(list.Count);
        for (int i = 0; i < list.Count; i++)
        {
            var row = new object?[columns.Count];
            for (int c = 0; c < columns.Count; c++)
            {
                object? value = Normalize(list[i].GetValueOrDefault(columns[c]), name, i, columns[c]);
                row[c] = value;
                if (value is null) continue;
                var feature = FeatureOf(value);
                if (features[c] is { } seen && seen != feature)
                    throw new ArgumentException($"{name}: row {i}, column '{columns[c]}' holds {feature.Dtype ?? feature.Type} but earlier rows hold {seen.Dtype ?? seen.Type}.", nameof(rows));
                features[c] = feature;
            }
            values.Add(row);
            sources.Add(new RowSource(name, "memory", i));
        }
        var schema = columns.Select((c, i) => new KeyValuePair<string, Feature>(c, features[i] ?? Feature.String)).ToList();
        return new TableDataset(name, schema, values, sources);
    }

    static object? Normalize(object? value, string name, int row, string column) => value switch
    {
        null or string or long or double or bool or ImageCell => value,
        int or short or byte or uint => Convert.ToInt64(value, CultureInfo.InvariantCulture),
        float f => (double)f,
        decimal m => (double)m,
        byte[] bytes => new ImageCell(bytes, null, null),
        IEnumerable<ImageCell> images => images.Cast<object?>().ToList(),
        IEnumerable<byte[]> images => images.Select(b => (object?)new ImageCell(b, null, null)).ToList(),
        _ => throw new ArgumentException(
            $"{name}: row {row}, column '{column}' holds a {value.GetType().Name}; use a string, number, bool, ImageCell, image bytes or a list of images."),
    };

    static Feature FeatureOf(object value) => value switch
    {
        string => Feature.String,
        long => new Feature("Value", "int64"),
        double => new Feature("Value", "float64"),
        bool => new Feature("Value", "bool"),
        ImageCell => Feature.Image,
        _ => Feature.ImageList,
    };
}
