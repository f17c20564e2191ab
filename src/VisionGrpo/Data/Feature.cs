using System.Text.Json.Nodes;

namespace VisionGrpo.Data;

/// <summary>
/// A column type as <c>datasets</c> describes it (<c>Value(dtype)</c>, <c>Image</c>, <c>List</c>/<c>Sequence</c>),
/// read from the <c>huggingface</c> parquet metadata or inferred from the file schema.
/// </summary>
/// <param name="Type">The <c>_type</c>: <c>Value</c>, <c>Image</c>, <c>List</c>, <c>Sequence</c>, <c>ClassLabel</c>, …</param>
/// <param name="Dtype">For <c>Value</c>: <c>string</c>, <c>int64</c>, <c>float64</c>, <c>bool</c>, …</param>
/// <param name="Item">For lists: the element feature.</param>
public sealed record Feature(string Type, string? Dtype = null, Feature? Item = null)
{
    /// <summary>A string column.</summary>
    public static readonly Feature String = new("Value", "string");

    /// <summary>An image column (struct of <c>bytes</c> and <c>path</c>).</summary>
    public static readonly Feature Image = new("Image");

    /// <summary>True for the <c>Image</c> feature.</summary>
    public bool IsImage => Type == "Image";

    /// <summary>A list of images (TRL's <c>images</c> column).</summary>
    public static readonly Feature ImageList = new("List", Item: Image);

    /// <summary>True for <c>Image</c> and for a list of images: the column feeds the prompt's images.</summary>
    public bool HoldsImages => IsImage || Type is "List" or "Sequence" or "LargeList" && Item is { IsImage: true };

    /// <summary>Parses one feature of a <c>datasets</c> <c>Features</c> JSON dict.</summary>
    public static Feature FromJson(JsonNode? node)
    {
        if (node is JsonArray arr) return new Feature("List", Item: FromJson(arr.Count > 0 ? arr[0] : null));
        if (node is not JsonObject o) return new Feature("Unknown");
        string type = (string?)o["_type"] ?? "Unknown";
        return type switch
        {
            "Value" => new Feature(type, (string?)o["dtype"]),
            "List" or "Sequence" or "LargeList" => new Feature(type, Item: FromJson(o["feature"])),
            _ => new Feature(type, (string?)o["dtype"]),
        };
    }

    /// <summary>Short text as the Hub viewer shows it: <c>string</c>, <c>image</c>, <c>list&lt;int64&gt;</c>.</summary>
    public override string ToString() => Type switch
    {
        "Value" => Dtype ?? "value",
        "Image" => "image",
        "List" or "Sequence" or "LargeList" => $"list<{Item}>",
        _ => Dtype is null ? Type : $"{Type}({Dtype})",
    };
}
