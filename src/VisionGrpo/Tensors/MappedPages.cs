using System.Runtime.InteropServices;

namespace VisionGrpo.Tensors;

/// <summary>
/// Drops pages of a read-only file mapping from the process's resident set once their bytes were copied out. Pages
/// of a memory-mapped checkpoint that were read count towards RSS until unmapped, so copying a whole bf16
/// checkpoint into bf16 parameters would peak at twice its size; releasing each chunk after copying keeps the peak
/// at the parameters plus one chunk. The data stays in the page cache and is faulted back in if read again.
/// </summary>
internal static partial class MappedPages
{
    const int MadvDontNeed = 4;
    static readonly long PageSize = Environment.SystemPageSize;

    /// <summary>
    /// Releases every page overlapping [<paramref name="start"/>, <paramref name="start"/> + <paramref name="length"/>).
    /// Only for read-only FILE mappings: on anonymous memory MADV_DONTNEED would zero the data. No-op off Linux and on
    /// failure (the release is an optimisation, never needed for correctness).
    /// </summary>
    public static unsafe void Release(byte* start, long length)
    {
        if (!OperatingSystem.IsLinux() || length <= 0) return;
        long first = (long)start & ~(PageSize - 1);
        long end = ((long)start + length + PageSize - 1) & ~(PageSize - 1);
        _ = madvise((nint)first, (nuint)(end - first), MadvDontNeed);
    }

    [LibraryImport("libc", SetLastError = true)]
    private static partial int madvise(nint address, nuint length, int advice);
}
