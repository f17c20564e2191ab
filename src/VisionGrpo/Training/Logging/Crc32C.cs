namespace VisionGrpo.Training.Logging;

/// <summary>
/// CRC-32C (Castagnoli, reflected polynomial 0x82F63B78) and TFRecord's masking of it, table-driven: twenty lines instead of
/// a package dependency for the library.
/// </summary>
internal static class Crc32C
{
    static readonly uint[] Table = BuildTable();

    static uint[] BuildTable()
    {
        var table = new uint[256];
        for (uint i = 0; i < 256; i++)
        {
            uint c = i;
            for (int k = 0; k < 8; k++) c = (c & 1) != 0 ? 0x82F63B78u ^ (c >> 1) : c >> 1;
            table[i] = c;
        }
        return table;
    }

    /// <summary>CRC-32C of <paramref name="data"/> (initial 0xFFFFFFFF, final XOR 0xFFFFFFFF).</summary>
    public static uint Compute(ReadOnlySpan<byte> data)
    {
        uint crc = 0xFFFFFFFFu;
        foreach (byte b in data) crc = Table[(crc ^ b) & 0xFF] ^ (crc >> 8);
        return crc ^ 0xFFFFFFFFu;
    }

    /// <summary>TFRecord's mask: rotate right by 15 bits, then add 0xA282EAD8 (mod 2^32).</summary>
    public static uint Mask(uint crc) => unchecked(((crc >> 15) | (crc << 17)) + 0xA282EAD8u);

    /// <summary>Inverse of <see cref="Mask"/>.</summary>
    public static uint Unmask(uint masked)
    {
        uint rotated = unchecked(masked - 0xA282EAD8u);
        return (rotated << 15) | (rotated >> 17);
    }
}
