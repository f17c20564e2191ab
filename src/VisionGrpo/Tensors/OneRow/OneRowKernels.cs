using TorchSharp;
using static TorchSharp.torch;

namespace VisionGrpo.Tensors.OneRow;

/// <summary>
/// The non-product ops of a one-token inference step (batch-1 decode) as managed code straight over the tensors'
/// memory. A decoder layer ran ≈ 100 small libtorch ops per token (RMSNorm, RoPE, views, cache writes, SDPA, SiLU,
/// residual adds, and the dispose of every intermediate), ≈ 1.5–2.5 µs each on one thread: 5–13 ms of a 20–50 ms
/// step (docs/benchmarks.md, "Decode: the one-row ops"). Each module of the Qwen2 decoder asks <see cref="Applies"/>
/// and, where it holds, calls one entry point here instead; everything else (training, prefill, batched decode,
/// scoring, GPU) keeps its torch ops. bf16 rounds where torch's ops round (<see cref="RowMath"/>).
/// </summary>
public static unsafe class OneRowKernels
{
    /// <summary>Whether the fast path is used at all; benchmarks switch it off to compare (default on).</summary>
    public static bool Enabled { get; set; } = true;

    /// <summary>Off on the calling thread only (tests compare against the general path while others run in parallel).</summary>
    [ThreadStatic] internal static bool OffOnThisThread;

    /// <summary>
    /// True when <paramref name="x"/> is one row of a one-token inference call the kernels can run: enabled, on the
    /// CPU, grad disabled, all leading sizes 1 (<c>numel == shape[^1]</c>), fp32 or bf16, contiguous; and every
    /// non-null <paramref name="operands"/> (weights, tables) is a contiguous CPU tensor of the same dtype.
    /// </summary>
    public static bool Applies(Tensor x, params Tensor?[] operands)
    {
        if (!Enabled || OffOnThisThread || !RowSplitProduct.IsInferenceRow(x) || !x.is_contiguous()) return false;
        var dtype = x.dtype;
        foreach (var t in operands)
            if (t is not null && (t.dtype != dtype || t.device_type != DeviceType.CPU || !t.is_contiguous())) return false;
        return true;
    }

    /// <summary>
    /// <c>Qwen2RMSNorm</c> of the one row <paramref name="x"/> into a new tensor: one allocation instead of six ops
    /// (see <see cref="RowMath.RmsNorm"/> for the rounding). <paramref name="weight"/> has <c>x.shape[^1]</c> elements.
    /// </summary>
    public static Tensor RmsNorm(Tensor x, Tensor weight, double eps)
    {
        int n = Width(x, weight);
        var output = torch.empty_like(x);
        bool bf16 = x.dtype == ScalarType.BFloat16;
        using var rows = new Scratch(2 * n);
        float* row = rows[0], w = rows[n];
        RowMath.Widen(TensorMemory.Pointer(x), bf16, row, n);
        RowMath.Widen(TensorMemory.Pointer(weight), bf16, w, n);
        RowMath.RmsNorm(row, w, n, (float)eps, bf16);
        RowMath.Narrow(row, bf16, TensorMemory.Pointer(output), n);
        return output;
    }

    /// <summary>
    /// <c>residual + update</c> for one row, computed into <paramref name="update"/>'s memory and returned: the
    /// residual add of a decoder layer, where the update is the fresh output of a projection the caller owns.
    /// </summary>
    public static Tensor AddInto(Tensor residual, Tensor update) => Elementwise(update, residual, &RowMath.Add);

    /// <summary><c>silu(gate) · up</c> for one row, computed into <paramref name="gate"/>'s memory and returned (SwiGLU).</summary>
    public static Tensor SiluMulInto(Tensor gate, Tensor up) => Elementwise(gate, up, &RowMath.SiluMul);

    /// <summary><c>a = op(a, b)</c> over one row each, through fp32 working rows; returns <paramref name="a"/>.</summary>
    static Tensor Elementwise(Tensor a, Tensor b, delegate*<float*, float*, int, bool, void> op)
    {
        int n = Width(a, b);
        bool bf16 = a.dtype == ScalarType.BFloat16;
        using var rows = new Scratch(2 * n);
        float* x = rows[0], y = rows[n];
        RowMath.Widen(TensorMemory.Pointer(a), bf16, x, n);
        RowMath.Widen(TensorMemory.Pointer(b), bf16, y, n);
        op(x, y, n, bf16);
        RowMath.Narrow(x, bf16, TensorMemory.Pointer(a), n);
        return a;
    }

    /// <summary>The element count of one-row <paramref name="x"/>, checked against <paramref name="other"/>.</summary>
    static int Width(Tensor x, Tensor other)
    {
        long n = x.numel();
        if (other.numel() != n || other.dtype != x.dtype)
            throw new ArgumentException($"one-row kernel: operands of {n} {x.dtype} and {other.numel()} {other.dtype} elements do not match");
        return checked((int)n);
    }
}
