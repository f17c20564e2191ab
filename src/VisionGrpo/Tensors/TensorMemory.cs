using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using static TorchSharp.torch;

namespace VisionGrpo.Tensors;

/// <summary>
/// Raw access to a CPU tensor's memory for the managed decode kernels (<see cref="RowSplitProduct"/>,
/// <c>Tensors/OneRow</c>), which read and write a tensor's elements in place many times per step.
/// </summary>
internal static unsafe class TensorMemory
{
    /// <summary>
    /// The first element of a contiguous CPU tensor: LibTorchSharp's <c>THSTensor_data</c> called directly (≈ 30–60 ns),
    /// where TorchSharp's <c>bytes</c> span costs ≈ 1.2 µs of checks and metadata calls — per tensor, several per layer.
    /// Without that export: the span, or for 2 GiB and more (its length is an int; a 7B model's fp32 LM head) the span
    /// of a view of the first element.
    /// </summary>
    public static void* Pointer(Tensor t)
    {
        if (!t.is_contiguous()) throw new ArgumentException("a non-contiguous tensor has no flat data pointer", nameof(t));
        if (TensorData != null) return TensorData(t.Handle);
        if (t.numel() * t.element_size() > int.MaxValue)
        {
            using var first = t.view(-1).narrow(0, 0, 1);
            return Pointer(first);
        }
        return Unsafe.AsPointer(ref MemoryMarshal.GetReference(t.bytes));
    }

    /// <summary>Whether <see cref="Pointer"/> calls <c>THSTensor_data</c> directly (false: through TorchSharp's span).</summary>
    public static bool Direct => TensorData != null;

    // THSTensor_data(handle): the tensor's data_ptr(), no allocation, no callbacks; null where the export is not found.
    static readonly delegate* unmanaged[SuppressGCTransition]<nint, void*> TensorData =
        (delegate* unmanaged[SuppressGCTransition]<nint, void*>)LibTorchSharpExport("THSTensor_data");

    // Looked up on first use, when a tensor exists, so libtorch and LibTorchSharp are loaded already (no
    // TorchRuntime.EnsureInitialized here: it also applies the environment's thread count, which must not change
    // under a caller that set its own).
    static nint LibTorchSharpExport(string symbol)
    {
        try
        {
            if ((NativeLibrary.TryLoad("LibTorchSharp", typeof(TorchSharp.torch).Assembly, null, out var library)
                    || NativeLibrary.TryLoad("libLibTorchSharp.so", out library))
                && NativeLibrary.TryGetExport(library, symbol, out var function))
                return function;
        }
        catch (Exception) { }
        return 0;
    }
}
