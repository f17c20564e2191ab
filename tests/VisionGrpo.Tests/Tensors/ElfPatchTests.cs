using System.Buffers.Binary;
using System.Text;

namespace VisionGrpo.Tests.Tensors;

/// <summary>
/// The build ships a libLibTorchSharp.so whose GLIBCXX_3.4.32 version need is weak (build/TorchSharpGlibcxx.targets),
/// so it loads on Debian 12. These tests read the ELF version-need table of the copy next to the test assembly.
/// </summary>
public class ElfPatchTests
{
    const ushort VerFlgWeak = 0x2;

    static Dictionary<string, ushort> VersionNeedFlags(string path)
    {
        byte[] elf = File.ReadAllBytes(path);
        var span = elf.AsSpan();
        ulong shoff = BinaryPrimitives.ReadUInt64LittleEndian(span[0x28..]);
        int shentsize = BinaryPrimitives.ReadUInt16LittleEndian(span[0x3A..]);
        int shnum = BinaryPrimitives.ReadUInt16LittleEndian(span[0x3C..]);
        var flags = new Dictionary<string, ushort>();
        for (int i = 0; i < shnum; i++)
        {
            var sh = span[(int)((long)shoff + (long)i * shentsize)..];
            if (BinaryPrimitives.ReadUInt32LittleEndian(sh[4..]) != 0x6ffffffe) continue;
            long offset = (long)BinaryPrimitives.ReadUInt64LittleEndian(sh[0x18..]);
            uint link = BinaryPrimitives.ReadUInt32LittleEndian(sh[0x28..]);
            uint count = BinaryPrimitives.ReadUInt32LittleEndian(sh[0x2C..]);
            long strtab = (long)BinaryPrimitives.ReadUInt64LittleEndian(span[(int)((long)shoff + link * shentsize + 0x18)..]);
            long need = offset;
            for (uint n = 0; n < count; n++)
            {
                int cnt = BinaryPrimitives.ReadUInt16LittleEndian(span[(int)(need + 2)..]);
                long aux = need + BinaryPrimitives.ReadUInt32LittleEndian(span[(int)(need + 8)..]);
                for (int a = 0; a < cnt; a++)
                {
                    uint name = BinaryPrimitives.ReadUInt32LittleEndian(span[(int)(aux + 8)..]);
                    int end = Array.IndexOf(elf, (byte)0, (int)(strtab + name));
                    string version = Encoding.ASCII.GetString(elf, (int)(strtab + name), end - (int)(strtab + name));
                    flags[version] = BinaryPrimitives.ReadUInt16LittleEndian(span[(int)(aux + 4)..]);
                    aux += BinaryPrimitives.ReadUInt32LittleEndian(span[(int)(aux + 12)..]);
                }
                need += BinaryPrimitives.ReadUInt32LittleEndian(span[(int)(need + 12)..]);
            }
        }
        return flags;
    }

    static string ShippedLibrary()
    {
        var candidates = Directory.GetFiles(AppContext.BaseDirectory, "libLibTorchSharp.so", SearchOption.AllDirectories);
        Assert.NotEmpty(candidates);
        return candidates[0];
    }

    [Fact]
    public void OnlyGlibcxx3432IsWeakened()
    {
        var flags = VersionNeedFlags(ShippedLibrary());
        Assert.True(flags.ContainsKey("GLIBCXX_3.4.32"), "the library no longer needs GLIBCXX_3.4.32: review build/TorchSharpGlibcxx.targets");
        Assert.Equal(VerFlgWeak, flags["GLIBCXX_3.4.32"] & VerFlgWeak);
        // Every other version need keeps its strong binding.
        Assert.All(flags.Where(kv => kv.Key != "GLIBCXX_3.4.32"), kv => Assert.Equal(0, kv.Value & VerFlgWeak));
    }
}
