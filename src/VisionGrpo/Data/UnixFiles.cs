using System.Runtime.InteropServices;

namespace VisionGrpo.Data;

/// <summary>What a path names once every link is followed (<c>stat</c>, not <c>lstat</c>).</summary>
internal enum FileKind
{
    /// <summary>Nothing there (or a broken link, or a link loop).</summary>
    Missing,
    /// <summary>A regular file.</summary>
    Regular,
    /// <summary>A directory.</summary>
    Directory,
    /// <summary>A FIFO, socket, character or block device: never data.</summary>
    Special,
}

/// <summary>
/// The two file-system facts .NET does not expose on Linux: the real path of a path with every link resolved in
/// every component (<c>realpath(3)</c>), and whether a path is a regular file or a FIFO/device (<c>statx(2)</c>,
/// whose layout is the same on every architecture).
/// </summary>
internal static unsafe class UnixFiles
{
    /// <summary>The canonical absolute path, or null when it does not exist or a link loops.</summary>
    public static string? RealPath(string path)
    {
        if (!OperatingSystem.IsLinux()) return Path.Exists(path) ? Path.GetFullPath(path) : null;
        IntPtr resolved = realpath(path, IntPtr.Zero);
        if (resolved == IntPtr.Zero) return null;
        try { return Marshal.PtrToStringUTF8(resolved); }
        finally { free(resolved); }
    }

    /// <summary>What <paramref name="path"/> is, links followed.</summary>
    public static FileKind Kind(string path)
    {
        if (!OperatingSystem.IsLinux())
            return File.Exists(path) ? FileKind.Regular : Directory.Exists(path) ? FileKind.Directory : FileKind.Missing;
        const int AtFdCwd = -100;
        const uint StatxType = 0x1;
        byte* buffer = stackalloc byte[256];
        if (statx(AtFdCwd, path, 0, StatxType, buffer) != 0) return FileKind.Missing;
        int mode = *(ushort*)(buffer + 28) & 0xF000; // stx_mode, S_IFMT
        return mode switch
        {
            0x8000 => FileKind.Regular,
            0x4000 => FileKind.Directory,
            _ => FileKind.Special,
        };
    }

    [DllImport("libc")]
    static extern IntPtr realpath(string path, IntPtr resolved);

    [DllImport("libc")]
    static extern void free(IntPtr pointer);

    [DllImport("libc")]
    static extern int statx(int dirfd, string path, int flags, uint mask, byte* buffer);
}
