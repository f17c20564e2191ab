using TorchSharp;

namespace VisionGrpo.Tensors;

/// <summary>Parses the <c>--device auto|cpu|cuda[:N]</c> option into a torch device.</summary>
internal static class DeviceSpec
{
    /// <summary>Resolves <paramref name="spec"/>: <c>auto</c> picks cuda:0 when libtorch sees a GPU, else cpu.</summary>
    public static torch.Device Parse(string spec)
    {
        TorchRuntime.EnsureInitialized();
        string s = (spec ?? "").Trim().ToLowerInvariant();
        if (s is "" or "auto") return torch.cuda.is_available() ? new torch.Device(DeviceType.CUDA, 0) : torch.CPU;
        if (s == "cpu") return torch.CPU;
        if (s == "cuda" || s.StartsWith("cuda:", StringComparison.Ordinal))
        {
            int index = 0;
            if (s.Length > 4 && (!int.TryParse(s.AsSpan(5), out index) || index < 0))
                throw new ArgumentException($"--device '{spec}': expected cuda:N with N a non-negative integer.");
            if (!torch.cuda.is_available())
                throw new ArgumentException($"--device '{spec}': CUDA is not available in this build (libtorch {TorchRuntime.LibTorchVersion}, backend '{TorchRuntime.Backend}'). Build with -p:TorchBackend=cuda or use --device cpu.");
            int count = torch.cuda.device_count();
            if (index >= count)
                throw new ArgumentException($"--device '{spec}': only {count} CUDA device(s) are visible.");
            return new torch.Device(DeviceType.CUDA, index);
        }
        throw new ArgumentException($"--device '{spec}' is not one of auto, cpu, cuda, cuda:N.");
    }

    /// <summary>Every device this process can use.</summary>
    public static IReadOnlyList<torch.Device> Available()
    {
        TorchRuntime.EnsureInitialized();
        var list = new List<torch.Device> { torch.CPU };
        if (torch.cuda.is_available())
            for (int i = 0; i < torch.cuda.device_count(); i++) list.Add(new torch.Device(DeviceType.CUDA, i));
        return list;
    }
}
