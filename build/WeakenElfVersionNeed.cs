// MSBuild task (compiled by RoslynCodeTaskFactory): copies an ELF64 little-endian shared library and sets
// VER_FLG_WEAK on the named version-need entries (.gnu.version_r), so a loader that lacks those versions
// still loads the library. Used for TorchSharp's libLibTorchSharp.so on Debian 12 (see docs/torchsharp.md).
using System;
using System.IO;
using System.Text;
using Microsoft.Build.Framework;
using Microsoft.Build.Utilities;

public class WeakenElfVersionNeed : Task
{
    [Required] public string Source { get; set; } = "";
    [Required] public string Destination { get; set; } = "";
    /// <summary>Semicolon-separated version names, e.g. GLIBCXX_3.4.32.</summary>
    [Required] public string Versions { get; set; } = "";

    const uint ShtGnuVerneed = 0x6ffffffe;
    const ushort VerFlgWeak = 0x2;

    public override bool Execute()
    {
        byte[] elf = File.ReadAllBytes(Source);
        var wanted = Versions.Split(new[] { ';' }, StringSplitOptions.RemoveEmptyEntries);
        int patched = 0;
        if (elf.Length > 0x40 && elf[0] == 0x7f && elf[1] == (byte)'E' && elf[2] == (byte)'L' && elf[3] == (byte)'F'
            && elf[4] == 2 /* 64-bit */ && elf[5] == 1 /* little endian */)
        {
            patched = Weaken(elf, wanted);
        }
        if (patched == 0)
            Log.LogMessage(MessageImportance.Normal, $"WeakenElfVersionNeed: no '{Versions}' need in {Source}; copied unchanged.");
        else
            Log.LogMessage(MessageImportance.Normal, $"WeakenElfVersionNeed: weakened {patched} version need(s) in {Destination}.");

        Directory.CreateDirectory(Path.GetDirectoryName(Destination)!);
        // Write a new file and rename it into place: the old destination may be a hard link into a cache.
        string tmp = Destination + ".tmp";
        File.WriteAllBytes(tmp, elf);
        if (File.Exists(Destination)) File.Delete(Destination);
        File.Move(tmp, Destination);
        return true;
    }

    static int Weaken(byte[] elf, string[] wanted)
    {
        ulong shoff = BitConverter.ToUInt64(elf, 0x28);
        int shentsize = BitConverter.ToUInt16(elf, 0x3A);
        int shnum = BitConverter.ToUInt16(elf, 0x3C);
        int count = 0;
        for (int i = 0; i < shnum; i++)
        {
            long sh = (long)shoff + (long)i * shentsize;
            if (BitConverter.ToUInt32(elf, (int)sh + 4) != ShtGnuVerneed) continue;
            long offset = (long)BitConverter.ToUInt64(elf, (int)sh + 0x18);
            uint link = BitConverter.ToUInt32(elf, (int)sh + 0x28);
            uint info = BitConverter.ToUInt32(elf, (int)sh + 0x2C);
            long strtab = (long)BitConverter.ToUInt64(elf, (int)((long)shoff + link * shentsize) + 0x18);

            long need = offset;
            for (uint n = 0; n < info; n++)
            {
                ushort cnt = BitConverter.ToUInt16(elf, (int)need + 2);
                long aux = need + BitConverter.ToUInt32(elf, (int)need + 8);
                for (int a = 0; a < cnt; a++)
                {
                    uint name = BitConverter.ToUInt32(elf, (int)aux + 8);
                    string version = ReadCString(elf, strtab + name);
                    if (Array.IndexOf(wanted, version) >= 0)
                    {
                        ushort flags = BitConverter.ToUInt16(elf, (int)aux + 4);
                        flags |= VerFlgWeak;
                        elf[aux + 4] = (byte)(flags & 0xff);
                        elf[aux + 5] = (byte)(flags >> 8);
                        count++;
                    }
                    uint nextAux = BitConverter.ToUInt32(elf, (int)aux + 12);
                    if (nextAux == 0) break;
                    aux += nextAux;
                }
                uint next = BitConverter.ToUInt32(elf, (int)need + 12);
                if (next == 0) break;
                need += next;
            }
        }
        return count;
    }

    static string ReadCString(byte[] data, long at)
    {
        long end = at;
        while (end < data.Length && data[end] != 0) end++;
        return Encoding.ASCII.GetString(data, (int)at, (int)(end - at));
    }
}
