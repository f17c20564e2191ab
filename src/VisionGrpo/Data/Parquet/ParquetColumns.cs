using Parquet;
using Parquet.Schema;

namespace VisionGrpo.Data.Parquet;

/// <summary>Reads one leaf column of a row group into boxed row values (strings, longs, doubles, bools, byte arrays).</summary>
internal static class ParquetColumns
{
    /// <summary>Values of a non-repeated leaf column, one per row (null where the cell is null).</summary>
    public static async Task<object?[]> ReadFlatAsync(ParquetRowGroupReader rg, DataField field, int rows)
    {
        var (values, _) = await ReadAsync(rg, field, rows, withLevels: false);
        return values;
    }

    /// <summary>Values of a repeated leaf column grouped into one list per row (<c>null</c> for a null list).</summary>
    public static async Task<object?[]> ReadListsAsync(ParquetRowGroupReader rg, DataField field, int rows)
    {
        long count = rg.GetMetadata(field)?.MetaData?.NumValues ?? rows;
        var (values, levels) = await ReadAsync(rg, field, checked((int)count), withLevels: true);
        var result = new object?[rows];
        int row = -1;
        List<object?>? current = null;
        for (int i = 0; i < values.Length; i++)
        {
            if (levels![i] == 0)
            {
                row++;
                if (row >= rows) throw new InvalidDataException($"column '{field.Path}' has more lists than the row group's {rows} rows");
                current = new List<object?>();
                result[row] = current;
            }
            // An empty or null list is stored as a single null entry at repetition level 0.
            if (values[i] is not null || field.IsNullable) current!.Add(values[i]);
        }
        foreach (var r in result)
            if (r is List<object?> l && l.Count == 1 && l[0] is null) l.Clear();
        return result;
    }

    static async Task<(object?[] Values, int[]? Levels)> ReadAsync(ParquetRowGroupReader rg, DataField field, int n, bool withLevels)
    {
        Type t = field.ClrType;
        var (values, levels) =
            t == typeof(string) || t == typeof(ReadOnlyMemory<char>) ? await Raw<ReadOnlyMemory<char>>(rg, field, n, v => v.ToString())
            : t == typeof(byte[]) || t == typeof(ReadOnlyMemory<byte>) ? await Raw<ReadOnlyMemory<byte>>(rg, field, n, v => v.ToArray())
            : t == typeof(int) ? await Raw<int>(rg, field, n, v => (long)v)
            : t == typeof(long) ? await Raw<long>(rg, field, n, v => v)
            : t == typeof(short) ? await Raw<short>(rg, field, n, v => (long)v)
            : t == typeof(sbyte) ? await Raw<sbyte>(rg, field, n, v => (long)v)
            : t == typeof(byte) ? await Raw<byte>(rg, field, n, v => (long)v)
            : t == typeof(ushort) ? await Raw<ushort>(rg, field, n, v => (long)v)
            : t == typeof(uint) ? await Raw<uint>(rg, field, n, v => (long)v)
            : t == typeof(ulong) ? await Raw<ulong>(rg, field, n, v => v)
            : t == typeof(float) ? await Raw<float>(rg, field, n, v => (double)v)
            : t == typeof(double) ? await Raw<double>(rg, field, n, v => v)
            : t == typeof(bool) ? await Raw<bool>(rg, field, n, v => v)
            : t == typeof(decimal) ? await Raw<decimal>(rg, field, n, v => v)
            : t == typeof(DateTime) ? await Raw<DateTime>(rg, field, n, v => v)
            : throw new NotSupportedException($"column '{field.Path}': parquet type {t.Name} is not supported");
        return (values, withLevels ? levels : null);
    }

    // The raw API returns only the non-null values plus definition levels; a cell is present exactly when its
    // definition level is the field's maximum, so nulls (of the cell or of an enclosing struct) are put back here.
    static async Task<(object?[] Values, int[] RepLevels)> Raw<T>(ParquetRowGroupReader rg, DataField field, int n, Func<T, object> convert)
        where T : struct
    {
        var buf = new T[n];
        var def = new int[n];
        var rep = new int[n];
        await rg.ReadRawAsync(field, buf.AsMemory(), def.AsMemory(), rep.AsMemory());
        var values = new object?[n];
        int maxDef = field.MaxDefinitionLevel;
        for (int i = 0, j = 0; i < n; i++)
            values[i] = maxDef == 0 || def[i] == maxDef ? convert(buf[j++]) : null;
        return (values, rep);
    }
}
