namespace VisionGrpo.Tensors;

/// <summary>
/// Element types the safetensors format defines, named exactly as they appear in a header's <c>dtype</c> field.
/// The numeric order is the format's own (increasing alignment); writers lay tensors out in descending order of it.
/// </summary>
public enum SafetensorsDType
{
    /// <summary>Boolean, one byte per element.</summary>
    BOOL,
    /// <summary>4-bit float (MXFP4), no TorchSharp type.</summary>
    F4,
    /// <summary>6-bit float E2M3 (MXFP6), no TorchSharp type.</summary>
    F6_E2M3,
    /// <summary>6-bit float E3M2 (MXFP6), no TorchSharp type.</summary>
    F6_E3M2,
    /// <summary>Unsigned 8-bit integer.</summary>
    U8,
    /// <summary>Signed 8-bit integer.</summary>
    I8,
    /// <summary>8-bit float E5M2, no TorchSharp type.</summary>
    F8_E5M2,
    /// <summary>8-bit float E4M3, no TorchSharp type.</summary>
    F8_E4M3,
    /// <summary>8-bit exponent-only float E8M0, no TorchSharp type.</summary>
    F8_E8M0,
    /// <summary>8-bit float E4M3 FNUZ, no TorchSharp type.</summary>
    F8_E4M3FNUZ,
    /// <summary>8-bit float E5M2 FNUZ, no TorchSharp type.</summary>
    F8_E5M2FNUZ,
    /// <summary>Signed 16-bit integer.</summary>
    I16,
    /// <summary>Unsigned 16-bit integer, no TorchSharp type.</summary>
    U16,
    /// <summary>IEEE half precision.</summary>
    F16,
    /// <summary>bfloat16.</summary>
    BF16,
    /// <summary>Signed 32-bit integer.</summary>
    I32,
    /// <summary>Unsigned 32-bit integer, no TorchSharp type.</summary>
    U32,
    /// <summary>IEEE single precision.</summary>
    F32,
    /// <summary>Complex number of two single-precision floats.</summary>
    C64,
    /// <summary>IEEE double precision.</summary>
    F64,
    /// <summary>Signed 64-bit integer.</summary>
    I64,
    /// <summary>Unsigned 64-bit integer, no TorchSharp type.</summary>
    U64,
}
