using Parquet.Schema;

namespace VisionGrpo.Data.Parquet;

/// <summary>How one top-level column of a parquet file maps to leaf columns: plain value, list of values, HF image struct, or a list of them.</summary>
internal sealed record ParquetColumnPlan(string Name, Feature Feature, DataField? Leaf, DataField? ImageBytes, DataField? ImagePath, bool IsList)
{
    /// <summary>Plans every top-level field; <paramref name="hfFeatures"/> (from the <c>huggingface</c> metadata) wins over inference.</summary>
    public static List<ParquetColumnPlan> Build(ParquetSchema schema, IReadOnlyDictionary<string, Feature> hfFeatures, string file)
    {
        var plans = new List<ParquetColumnPlan>();
        foreach (var field in schema.Fields)
        {
            hfFeatures.TryGetValue(field.Name, out var declared);
            plans.Add(field switch
            {
                DataField d when d.MaxRepetitionLevel == 0 => new(d.Name, declared ?? Infer(d), d, null, null, false),
                DataField d => new(d.Name, declared ?? new Feature("List", Item: Infer(d)), d, null, null, true),
                ListField { Item: DataField item } l => new(l.Name, declared ?? new Feature("List", Item: Infer(item)), item, null, null, true),
                StructField s when IsImageStruct(s, declared) => new(s.Name, Feature.Image,
                    null, (DataField)s.Fields.First(f => f.Name == "bytes"), s.Fields.FirstOrDefault(f => f.Name == "path") as DataField, false),
                // TRL's `images` column: Sequence(Image), a list of {bytes, path} structs.
                ListField { Item: StructField s } l when IsImageStruct(s, declared?.Item) => new(l.Name, Feature.ImageList,
                    null, (DataField)s.Fields.First(f => f.Name == "bytes"), s.Fields.FirstOrDefault(f => f.Name == "path") as DataField, true),
                _ => throw new NotSupportedException(
                    $"{file}: column '{field.Name}' has a nested type ({field.SchemaType}) that VisionGrpo does not read; supported: values, lists of values, Image, lists of Image"),
            });
        }
        return plans;
    }

    static bool IsImageStruct(StructField s, Feature? declared) =>
        s.Fields.Any(f => f.Name == "bytes" && f is DataField) && (declared?.IsImage ?? s.Fields.All(f => f.Name is "bytes" or "path"));

    static Feature Infer(DataField d)
    {
        Type t = d.ClrType;
        string dtype = t == typeof(string) || t == typeof(ReadOnlyMemory<char>) ? "string"
            : t == typeof(byte[]) || t == typeof(ReadOnlyMemory<byte>) ? "binary"
            : t == typeof(bool) ? "bool"
            : t == typeof(float) ? "float32"
            : t == typeof(double) ? "float64"
            : t == typeof(int) ? "int32"
            : t == typeof(long) ? "int64"
            : t.Name.ToLowerInvariant();
        return new Feature("Value", dtype);
    }
}
