using static TorchSharp.torch;

namespace VisionGrpo.Tensors;

/// <summary>Maps safetensors dtypes to header strings, element widths and TorchSharp scalar types.</summary>
internal static class SafetensorsDTypes
{
    // Exact, case-sensitive names only: Enum.TryParse would also accept numbers and other casings.
    static readonly Dictionary<string, SafetensorsDType> ByName =
        Enum.GetValues<SafetensorsDType>().ToDictionary(d => d.ToString(), StringComparer.Ordinal);

    /// <summary>Parses a header <c>dtype</c> string (case-sensitive, as the format defines it).</summary>
    public static bool TryParse(string text, out SafetensorsDType dtype) => ByName.TryGetValue(text, out dtype);

    /// <summary>The string written to a header's <c>dtype</c> field.</summary>
    public static string ToHeaderString(this SafetensorsDType dtype) => dtype.ToString();

    /// <summary>Bits per element (4 and 6 for the sub-byte float formats).</summary>
    public static int BitSize(this SafetensorsDType dtype) => dtype switch
    {
        SafetensorsDType.F4 => 4,
        SafetensorsDType.F6_E2M3 or SafetensorsDType.F6_E3M2 => 6,
        SafetensorsDType.BOOL or SafetensorsDType.U8 or SafetensorsDType.I8 or SafetensorsDType.F8_E5M2
            or SafetensorsDType.F8_E4M3 or SafetensorsDType.F8_E8M0 or SafetensorsDType.F8_E4M3FNUZ
            or SafetensorsDType.F8_E5M2FNUZ => 8,
        SafetensorsDType.I16 or SafetensorsDType.U16 or SafetensorsDType.F16 or SafetensorsDType.BF16 => 16,
        SafetensorsDType.I32 or SafetensorsDType.U32 or SafetensorsDType.F32 => 32,
        SafetensorsDType.C64 or SafetensorsDType.F64 or SafetensorsDType.I64 or SafetensorsDType.U64 => 64,
        _ => throw new ArgumentOutOfRangeException(nameof(dtype), dtype, "Not a safetensors dtype."),
    };

    /// <summary>The TorchSharp type holding this dtype bit for bit, or null when TorchSharp has none (U16/U32/U64, F8, F6, F4).</summary>
    public static ScalarType? TryToScalarType(this SafetensorsDType dtype) => dtype switch
    {
        SafetensorsDType.BOOL => ScalarType.Bool,
        SafetensorsDType.U8 => ScalarType.Byte,
        SafetensorsDType.I8 => ScalarType.Int8,
        SafetensorsDType.I16 => ScalarType.Int16,
        SafetensorsDType.F16 => ScalarType.Float16,
        SafetensorsDType.BF16 => ScalarType.BFloat16,
        SafetensorsDType.I32 => ScalarType.Int32,
        SafetensorsDType.F32 => ScalarType.Float32,
        SafetensorsDType.C64 => ScalarType.ComplexFloat32,
        SafetensorsDType.F64 => ScalarType.Float64,
        SafetensorsDType.I64 => ScalarType.Int64,
        _ => null,
    };

    /// <summary>The TorchSharp type for <paramref name="dtype"/>; throws <see cref="NotSupportedException"/> naming the tensor when there is none.</summary>
    public static ScalarType ToScalarType(this SafetensorsDType dtype, string? context = null) =>
        dtype.TryToScalarType() ?? throw new NotSupportedException(
            $"{(context is null ? "" : context + ": ")}safetensors dtype {dtype} has no TorchSharp equivalent " +
            "(TorchSharp 0.107 has no unsigned 16/32/64-bit or 8/6/4-bit float types).");

    /// <summary>The safetensors dtype for a TorchSharp type; throws <see cref="NotSupportedException"/> for types the format cannot hold (quantized, complex128).</summary>
    public static SafetensorsDType FromScalarType(ScalarType type) => type switch
    {
        ScalarType.Bool => SafetensorsDType.BOOL,
        ScalarType.Byte => SafetensorsDType.U8,
        ScalarType.Int8 => SafetensorsDType.I8,
        ScalarType.Int16 => SafetensorsDType.I16,
        ScalarType.Float16 => SafetensorsDType.F16,
        ScalarType.BFloat16 => SafetensorsDType.BF16,
        ScalarType.Int32 => SafetensorsDType.I32,
        ScalarType.Float32 => SafetensorsDType.F32,
        ScalarType.ComplexFloat32 => SafetensorsDType.C64,
        ScalarType.Float64 => SafetensorsDType.F64,
        ScalarType.Int64 => SafetensorsDType.I64,
        _ => throw new NotSupportedException($"Tensors of type {type} cannot be stored in safetensors."),
    };
}
