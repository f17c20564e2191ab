namespace VisionGrpo.Tensors;

/// <summary>
/// The CPU's vendor and feature flags as Linux reports them in <c>/proc/cpuinfo</c> (the first processor's entry
/// stands for all), read once. Elsewhere, or when the file cannot be read, the vendor is "unknown" and no flag is set.
/// </summary>
internal static class CpuInfo
{
    static readonly Lazy<(string Vendor, HashSet<string> Flags)> Info = new(Read);

    /// <summary><c>vendor_id</c>, e.g. <c>AuthenticAMD</c> or <c>GenuineIntel</c>.</summary>
    public static string Vendor => Info.Value.Vendor;

    /// <summary>True when the CPU lists <paramref name="flag"/> (e.g. <c>avx512_bf16</c>).</summary>
    public static bool Has(string flag) => Info.Value.Flags.Contains(flag);

    static (string Vendor, HashSet<string> Flags) Read()
    {
        string vendor = "unknown";
        var flags = new HashSet<string>(StringComparer.Ordinal);
        if (!OperatingSystem.IsLinux() || !File.Exists("/proc/cpuinfo")) return (vendor, flags);
        try
        {
            foreach (var line in File.ReadLines("/proc/cpuinfo"))
            {
                int colon = line.IndexOf(':');
                if (colon < 0) continue;
                string key = line[..colon].Trim(), value = line[(colon + 1)..].Trim();
                if (key == "vendor_id") vendor = value;
                else if (key == "flags")
                {
                    flags.UnionWith(value.Split(' ', StringSplitOptions.RemoveEmptyEntries));
                    break;
                }
            }
        }
        catch (IOException) { }
        catch (UnauthorizedAccessException) { }
        return (vendor, flags);
    }
}
