using System.Text;

namespace VisionGrpo.Text;

/// <summary>
/// The GPT-2 byte-level alphabet: every byte is shown as a printable character (<c>Ġ</c> = space, <c>Ċ</c> = LF).
/// Decoding maps token strings back to bytes and reads them as UTF-8, replacing invalid sequences with U+FFFD
/// (<c>errors="replace"</c>), as the Hugging Face <c>ByteLevel</c> decoder does.
/// </summary>
internal static class ByteLevelDecoder
{
    static readonly Dictionary<char, byte> CharToByte = BuildCharToByte();

    static Dictionary<char, byte> BuildCharToByte()
    {
        // Printable Latin-1 bytes stand for themselves; the rest are shifted to U+0100 and up, in byte order.
        var map = new Dictionary<char, byte>(256);
        int shifted = 0;
        for (int b = 0; b < 256; b++)
        {
            bool printable = b is >= '!' and <= '~' or >= 0xA1 and <= 0xAC or >= 0xAE and <= 0xFF;
            map[printable ? (char)b : (char)(256 + shifted++)] = (byte)b;
        }
        return map;
    }

    /// <summary>Appends the bytes a token stands for; a token with a character outside the alphabet (an added
    /// token such as <c>&lt;|im_start|&gt;</c> may hold any text) contributes its own UTF-8 bytes.</summary>
    public static void AppendBytes(string token, List<byte> bytes)
    {
        int mark = bytes.Count;
        foreach (char c in token)
        {
            if (!CharToByte.TryGetValue(c, out byte b))
            {
                bytes.RemoveRange(mark, bytes.Count - mark);
                bytes.AddRange(Encoding.UTF8.GetBytes(token));
                return;
            }
            bytes.Add(b);
        }
    }

    public static string Decode(IEnumerable<string> tokens)
    {
        var bytes = new List<byte>();
        foreach (var t in tokens) AppendBytes(t, bytes);
        return Encoding.UTF8.GetString(System.Runtime.InteropServices.CollectionsMarshal.AsSpan(bytes));
    }
}
