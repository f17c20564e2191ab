using System.Buffers.Binary;
using System.Text;
using VisionGrpo.Tensors;

namespace VisionGrpo.Tests.Tensors;

/// <summary>Temporary folders and hand-built safetensors files for the tests.</summary>
internal sealed class TempDir : IDisposable
{
    public TempDir()
    {
        Path = System.IO.Path.Combine(System.IO.Path.GetTempPath(), "vgrpo-st-" + Guid.NewGuid().ToString("N")[..10]);
        Directory.CreateDirectory(Path);
    }

    public string Path { get; }

    public string File(string name) => System.IO.Path.Combine(Path, name);

    public void Dispose()
    {
        try { Directory.Delete(Path, recursive: true); } catch (IOException) { }
    }
}

internal static class SafetensorsTestFiles
{
    public static string FixturePath(params string[] parts) =>
        Path.Combine([AppContext.BaseDirectory, "fixtures", .. parts]);

    /// <summary>A file with a verbatim header (padded with spaces to 8 unless told otherwise) and data.</summary>
    public static byte[] Raw(string headerJson, byte[] data, bool pad = true)
    {
        byte[] json = Encoding.UTF8.GetBytes(headerJson);
        int length = pad ? (json.Length + 7) / 8 * 8 : json.Length;
        var file = new byte[8 + length + data.Length];
        BinaryPrimitives.WriteUInt64LittleEndian(file, (ulong)length);
        json.CopyTo(file, 8);
        file.AsSpan(8 + json.Length, length - json.Length).Fill((byte)' ');
        data.CopyTo(file, 8 + length);
        return file;
    }

    /// <summary>Header length and parsed header JSON of a file's bytes.</summary>
    public static (int HeaderLength, string Json) Header(byte[] file)
    {
        int n = checked((int)BinaryPrimitives.ReadUInt64LittleEndian(file));
        return (n, Encoding.UTF8.GetString(file, 8, n));
    }

    /// <summary>Same dtype, shape and bytes (torch.equal is element-wise in TorchSharp).</summary>
    public static bool SameBits(TorchSharp.torch.Tensor a, TorchSharp.torch.Tensor b)
    {
        if (a.dtype != b.dtype || !a.shape.SequenceEqual(b.shape)) return false;
        using var x = a.contiguous();
        using var y = b.contiguous();
        return x.bytes.SequenceEqual(y.bytes);
    }

    /// <summary>Opens, loads every supported tensor and disposes them; used to prove a file is fully usable.</summary>
    public static void LoadAll(string path)
    {
        using var file = SafetensorsFile.Open(path);
        foreach (string name in file.Names)
            using (file.Load(name)) { }
    }
}
