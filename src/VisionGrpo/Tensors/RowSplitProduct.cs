using System.Runtime.CompilerServices;
using TorchSharp;
using TorchSharp.Modules;
using VisionGrpo.Tensors.OneRow;
using static TorchSharp.torch;

namespace VisionGrpo.Tensors;

/// <summary>
/// <c>x·Wᵀ (+ b)</c> for one token row with W's output rows split across the cores: the weight-streaming product
/// of batch-1 decode. libtorch sends a one-row product to MKL's GEMV (or, through <c>F.linear</c>, to sgemm with
/// M = 1), which runs on <b>one</b> core whatever the thread count; one core streams ≈ 27 GB/s on the project's EPYC
/// against ≈ 58 GB/s for both (docs/benchmarks.md, "Decode: the GEMV"), so decode was held at half the bandwidth.
/// Here the calling thread and <see cref="Workers"/> helper threads each run a managed GEMV (<see cref="Fp32RowProduct"/>,
/// <see cref="Bf16RowProduct"/>: one sequential stream per thread) on their own slice of W's rows and write it into one
/// output. Only for inference (no autograd graph is built; the caller must have grad disabled).
/// </summary>
public static unsafe class RowSplitProduct
{
    /// <summary>Rows of W per slice are a multiple of this (64-byte lines for fp32 and bf16).</summary>
    const long Align = 32;
    static readonly object Gate = new();
    static readonly object Busy = new();
    static SliceWorker[] _workers = [];

    /// <summary>Helper threads in use (the thread count of libtorch minus the caller), created on first use.</summary>
    public static int Workers => _workers.Length;

    /// <summary>How one-row products run; <see cref="OneRowProduct.RowSplit"/> unless a benchmark compares them.</summary>
    public static OneRowProduct Mode { get; set; } = OneRowProduct.RowSplit;

    // Modules whose output a forward hook changes (LoRA adapters): they must go through module.call.
    static readonly ConditionalWeakTable<nn.Module, object> Hooked = new();

    /// <summary>Marks <paramref name="module"/> as carrying a forward hook, so <see cref="Call"/> always runs it as a module.</summary>
    public static void MarkHooked(nn.Module module) => Hooked.AddOrUpdate(module, Hooked);

    /// <summary>Undoes <see cref="MarkHooked"/> (the hook was removed).</summary>
    public static void UnmarkHooked(nn.Module module) => Hooked.Remove(module);

    /// <summary>
    /// <paramref name="module"/> applied to <paramref name="x"/> <c>[..., in]</c>: the one-row path of
    /// <see cref="Mode"/> when this is a one-token inference call on the CPU (decode at batch 1) and the module has no
    /// hook, else <c>module.call(x)</c> (training, scoring, prefill, batched decode: unchanged).
    /// </summary>
    public static Tensor Call(Linear module, Tensor x) => CallAll(x, module)[0];

    /// <summary>
    /// Every module of <paramref name="modules"/> applied to the same <paramref name="x"/> (q/k/v, gate/up). On the
    /// one-row path their rows are split across the threads as if the weights were one matrix, so three small
    /// products cost one hand-off, with no fused copy of the weights to keep in step with training.
    /// </summary>
    public static Tensor[] CallAll(Tensor x, params Linear[] modules)
    {
        foreach (var m in modules)
            if (Hooked.TryGetValue(m, out _) || !IsOneRow(x, m.weight!)) return [.. modules.Select(m => m.call(x))];
        if (!WorthSplitting(modules.Select(m => m.weight!))) return [.. modules.Select(m => m.call(x))];
        return OneRow(x, [.. modules.Select(m => m.weight!)], [.. modules.Select(m => m.bias)]);
    }

    /// <summary><c>F.linear(x, weight, bias)</c>, through the one-row path of <see cref="Mode"/> where it applies.</summary>
    public static Tensor Project(Tensor x, Tensor weight, Tensor? bias = null) =>
        IsOneRow(x, weight) && WorthSplitting([weight]) ? OneRow(x, [weight], [bias])[0] : nn.functional.linear(x, weight, bias);

    /// <summary>
    /// Below this many weight bytes (1 MiB) a product is cheaper than the split's fixed cost saves (set when that cost
    /// was ≈ 25 µs; the managed kernels brought it to ≈ 6 µs, floor not re-tuned). Tests lower it on their own thread
    /// to run the tiny model's products through the split.
    /// </summary>
    internal static long MinSplitBytes
    {
        get => _minSplitBytes == 0 ? 1 << 20 : _minSplitBytes;
        set => _minSplitBytes = value;
    }

    [ThreadStatic] static long _minSplitBytes;

    static bool WorthSplitting(IEnumerable<Tensor> weights) =>
        Mode == OneRowProduct.Gemv || weights.Sum(w => w.numel() * w.element_size()) >= MinSplitBytes;

    /// <summary>
    /// Enters a one-token inference step (decode at batch 1) when <paramref name="x"/> is one on the CPU: libtorch
    /// runs on one thread until the scope ends, and the split products alone use the other cores. At two threads an
    /// OpenMP team woken by any op (SDPA forks one per layer) spins on the core the split worker needs, and each of
    /// the step's ~170 hand-offs then waits for a time slice (docs/benchmarks.md, "Decode: the GEMV"). Anything else
    /// gets a scope that changes nothing.
    /// </summary>
    public static StepScope EnterOneRowStep(Tensor x)
    {
        int threads = torch.get_num_threads();
        // Only where the products will split: an fp16 step (module calls) would otherwise lose its second core.
        if (Mode != OneRowProduct.RowSplit || threads < 2 || !IsInferenceRow(x) || _stepThreads != 0)
            return default;
        _stepThreads = threads;
        torch.set_num_threads(1);
        return new StepScope(threads);
    }

    /// <summary>Restores libtorch's thread count at the end of a one-row step (see <see cref="EnterOneRowStep"/>).</summary>
    public readonly struct StepScope(int threads) : IDisposable
    {
        /// <summary>Restores the thread count, if this scope changed it.</summary>
        public void Dispose()
        {
            if (threads == 0) return;
            _stepThreads = 0;
            torch.set_num_threads(threads);
        }
    }

    // The thread count outside the current one-row step (0: no step open); the split products use that many.
    [ThreadStatic] static int _stepThreads;

    static int SplitThreads => _stepThreads != 0 ? _stepThreads : torch.get_num_threads();

    /// <summary>
    /// <paramref name="x"/> is one token row of an inference call that the managed one-row kernels take (products here,
    /// the other ops in <c>Tensors/OneRow</c>): on the CPU, grad disabled, fp32 or bf16 (fp16 and fp64 keep their torch
    /// ops), all leading sizes 1.
    /// </summary>
    internal static bool IsInferenceRow(Tensor x) =>
        x.device_type == DeviceType.CPU && !torch.is_grad_enabled()
        && (x.dtype is ScalarType.Float32 or ScalarType.BFloat16)
        && x.dim() > 0 && x.numel() == x.size(-1);

    // One thread: nothing to split, and F.linear is as fast as a GEMV there (docs/benchmarks.md), so the module call.
    static bool IsOneRow(Tensor x, Tensor weight) =>
        (Mode == OneRowProduct.Gemv || Mode == OneRowProduct.RowSplit && SplitThreads > 1)
        && IsInferenceRow(x) && weight.is_contiguous() && weight.dtype == x.dtype
        && weight.dim() == 2 && weight.size(1) == x.size(-1);

    /// <summary>
    /// <c>W_i·x + b_i</c> for one input row <paramref name="x"/> <c>[..., in]</c> (all leading sizes 1): every thread
    /// runs <see cref="Fp32RowProduct"/> or <see cref="Bf16RowProduct"/> on its share of the rows of all weights
    /// together, straight from the tensors' memory into outputs allocated in their final shape; no other native call.
    /// </summary>
    static Tensor[] OneRow(Tensor x, Tensor[] weights, Tensor?[] biases)
    {
        using var scope = torch.NewDisposeScope();
        bool bf16 = x.dtype == ScalarType.BFloat16;
        int k = checked((int)x.size(-1));
        // The output keeps x's leading sizes (all 1). Tensor.shape costs ≈ 2 µs in TorchSharp, size(d) ≈ 20 ns.
        var shape = new long[x.dim()];
        Array.Fill(shape, 1L);
        var operands = new Operand[weights.Length];
        var outputs = new Tensor[weights.Length];
        for (int i = 0; i < weights.Length; i++)
        {
            long rows = weights[i].size(0);
            nint bias = 0;
            if (biases[i] is { } b)
            {
                if (b.numel() != rows)
                    throw new ArgumentException($"bias of {b.numel()} elements for a weight of {rows} output rows", nameof(biases));
                bias = (nint)TensorMemory.Pointer(b.dtype == x.dtype && b.is_contiguous() ? b : b.to(x.dtype).contiguous());
            }
            shape[^1] = rows;
            outputs[i] = torch.empty(shape, dtype: x.dtype, device: torch.CPU);
            operands[i] = new Operand((nint)TensorMemory.Pointer(weights[i]), bias, (nint)TensorMemory.Pointer(outputs[i]), rows);
        }
        var row = TensorMemory.Pointer(x.is_contiguous() ? x : x.contiguous());
        // bf16: x widened to fp32 once, in Bf16RowProduct's order, into this thread's pinned scratch (the helpers read
        // it while the caller waits for them).
        using var wide = bf16 ? new Scratch(k) : default;
        if (bf16) Bf16RowProduct.WidenInput((ushort*)row, k, wide[0]);
        nint input = bf16 ? (nint)wide[0] : (nint)row;
        // The helpers serve one product at a time: a second thread arriving meanwhile computes on its own.
        bool owner = Mode == OneRowProduct.RowSplit && Monitor.TryEnter(Busy);
        try
        {
            Split(new Product(operands, k, input, bf16), owner ? WorkersFor(SplitThreads - 1) : []);
        }
        finally
        {
            if (owner) Monitor.Exit(Busy);
        }
        foreach (var o in outputs) o.MoveToOuterDisposeScope();
        return outputs;
    }

    /// <summary>One weight of a product as raw memory: <c>Rows × k</c> elements at <c>W</c>, its bias (0: none) and output.</summary>
    readonly record struct Operand(nint W, nint Bias, nint Y, long Rows);

    /// <summary>The weights of one product (stacked in order) and the input row (fp32, or bf16 widened to fp32 by <see cref="Bf16RowProduct.WidenInput"/>).</summary>
    sealed record Product(Operand[] Operands, int K, nint Input, bool Bf16)
    {
        /// <summary>Rows <c>[from, to)</c> of the stacked weights: the kernel on each weight's part of that range.</summary>
        public void Run(long from, long to)
        {
            long offset = 0;
            foreach (var op in Operands)
            {
                long start = Math.Max(from, offset), end = Math.Min(to, offset + op.Rows);
                if (end > start)
                {
                    long first = start - offset, rows = end - start;
                    if (Bf16)
                        Bf16RowProduct.Rows((ushort*)op.W + first * K, rows, K, (float*)Input,
                            op.Bias == 0 ? null : (ushort*)op.Bias + first, (ushort*)op.Y + first);
                    else
                        Fp32RowProduct.Rows((float*)op.W + first * K, rows, K, (float*)Input,
                            op.Bias == 0 ? null : (float*)op.Bias + first, (float*)op.Y + first);
                }
                offset += op.Rows;
            }
        }
    }

    /// <summary>Rows of the stacked weights in equal, <see cref="Align"/>-row shares: the caller runs the first, each worker one more.</summary>
    static void Split(Product product, SliceWorker[] workers)
    {
        long total = 0;
        foreach (var op in product.Operands) total += op.Rows;
        int parts = workers.Length + 1;
        long step = (total + parts - 1) / parts;
        step = (step + Align - 1) / Align * Align;
        for (int p = 1; p < parts; p++)
        {
            long from = Math.Min(total, p * step), to = Math.Min(total, (p + 1) * step);
            workers[p - 1].Post(() => product.Run(from, to));
        }
        Exception? error = null;
        try { product.Run(0, Math.Min(total, step)); }
        catch (Exception e) { error = e; }
        for (int p = 1; p < parts; p++) error ??= workers[p - 1].Wait();
        if (error is not null) throw new InvalidOperationException("row-split product failed: " + error.Message, error);
    }

    /// <summary>Posts an empty job to every worker and waits: the fixed cost of one split product's hand-off.</summary>
    public static void Handoff()
    {
        lock (Busy)
        {
            var workers = WorkersFor(torch.get_num_threads() - 1);
            foreach (var w in workers) w.Post(static () => { });
            foreach (var w in workers) w.Wait();
        }
    }

    static SliceWorker[] WorkersFor(int count)
    {
        count = Math.Clamp(count, 0, Environment.ProcessorCount - 1);
        var workers = _workers;
        if (workers.Length >= count) return count == workers.Length ? workers : workers[..count];
        lock (Gate)
        {
            if (_workers.Length < count)
                _workers = [.. _workers, .. Enumerable.Range(_workers.Length, count - _workers.Length).Select(i => new SliceWorker(i))];
            return _workers[..count];
        }
    }

    /// <summary>
    /// A background thread that runs one posted slice at a time. It spins for a while after each slice (decode posts
    /// the next one within tens of microseconds) and then sleeps, so an idle process costs nothing.
    /// </summary>
    sealed class SliceWorker
    {
        static readonly long SpinTicks = System.Diagnostics.Stopwatch.Frequency / 2000; // 0.5 ms
        readonly SemaphoreSlim _wake = new(0);
        volatile Action? _job;
        volatile bool _busy;
        volatile bool _sleeping;
        Exception? _error;

        public SliceWorker(int index)
        {
            var thread = new Thread(Loop) { IsBackground = true, Name = $"visiongrpo-gemv-{index}" };
            thread.Start();
        }

        public void Post(Action job)
        {
            _error = null;
            _busy = true;
            _job = job;
            // Store-load fence: the worker announces sleep, then re-reads the job (Dekker-style handshake).
            Interlocked.MemoryBarrier();
            if (_sleeping) _wake.Release();
        }

        /// <summary>Waits for the posted slice; returns its exception, if any.</summary>
        public Exception? Wait()
        {
            var spin = new SpinWait();
            while (_busy) spin.SpinOnce(sleep1Threshold: -1);
            return _error;
        }

        void Loop()
        {
            while (true)
            {
                Action? job = null;
                long until = System.Diagnostics.Stopwatch.GetTimestamp() + SpinTicks;
                while ((job = _job) is null && System.Diagnostics.Stopwatch.GetTimestamp() < until) Thread.SpinWait(8);
                if (job is null)
                {
                    _sleeping = true;
                    Interlocked.MemoryBarrier();
                    // Re-check after announcing sleep: Post may have set the job before it saw _sleeping.
                    if ((job = _job) is null) { _wake.Wait(); job = _job; }
                    _sleeping = false;
                    while (_wake.CurrentCount > 0) _wake.Wait(0);
                    if (job is null) continue;
                }
                _job = null;
                try { job(); }
                catch (Exception e) { _error = e; }
                _busy = false;
            }
        }
    }
}

/// <summary>Which kernel path a one-token (decode, batch 1) projection takes; see <see cref="RowSplitProduct"/>.</summary>
public enum OneRowProduct
{
    /// <summary><c>F.linear</c> as nn.Linear runs it (MKL sgemm with M = 1, one core).</summary>
    Linear,
    /// <summary>Matrix × vector on the calling thread (<see cref="Fp32RowProduct"/> or <see cref="Bf16RowProduct"/>, one core).</summary>
    Gemv,
    /// <summary>Matrix × vector with W's rows split across the threads.</summary>
    RowSplit,
}
