using TorchSharp;
using static TorchSharp.torch;

namespace VisionGrpo.Training.Loss;

/// <summary>
/// Per-token log-probs and entropies of completion tokens straight from the decoder's hidden states, without ever
/// holding the vocabulary-wide logits: the LM head runs on blocks of rows × vocabulary entries and an online
/// log-sum-exp (running max, rescaled sums) folds each block in. The result equals
/// <see cref="TokenLogProbs"/> on <c>linear(hidden, weight)</c> (log-prob = logit/T − logsumexp(logits/T); entropy
/// −Σ p·log p) to float rounding, but a [rows, C, 151,936] float32 tensor (272 MB for the demo step, each pass over
/// it and its gradient a fresh, page-faulted allocation) is never materialised.
/// </summary>
/// <remarks>
/// Backward: d log p_t / d h = (W[t] − Σ_v p_v W[v]) / T. The forward accumulates Σ_v p_v W[v] per row while the
/// probabilities are in cache (one extra GEMM, the same one the plain backward would run on the full gradient), so
/// the backward is one multiply. A trainable output weight (full fine-tuning with tied or untied head) gets its
/// gradient by recomputing the blocks in backward.
/// Precision: the GEMMs run in the weights' dtype (bf16 stays bf16, as the plain LM head); everything after them
/// (max, exp, sums, log) in float32 (float64 for float64 inputs), more precise than TRL's bf16 log-softmax.
/// </remarks>
public sealed class FusedTokenScores : autograd.SingleTensorFunction<FusedTokenScores>
{
    /// <summary>Rows of hidden states per block (the LM-head weight is read once per row block).</summary>
    public const int RowBlock = 128;
    /// <summary>Vocabulary entries per block (a 128 × 8192 float32 block is 4 MiB).</summary>
    public const int VocabBlock = 8192;

    /// <inheritdoc/>
    public override string Name => nameof(FusedTokenScores);

    /// <summary>
    /// Log-probs [.., C] of <paramref name="targets"/> (differentiable w.r.t. <paramref name="hidden"/> and
    /// <paramref name="weight"/> when they require grad) and, when asked, entropies [.., C] (no gradient), both float32
    /// (float64 for float64 inputs).
    /// </summary>
    /// <param name="hidden">[.., C, H] final-norm hidden states of the positions that predict the targets.</param>
    /// <param name="weight">[V, H] output projection (lm_head, or the tied embedding).</param>
    /// <param name="targets">[.., C] int64 token ids in [0, V).</param>
    /// <param name="temperature">Logits are divided by it (1: no division).</param>
    /// <param name="withEntropies">Also return the entropies.</param>
    public static (Tensor Logps, Tensor? Entropies) Compute(Tensor hidden, Tensor weight, Tensor targets, double temperature, bool withEntropies)
    {
        if (hidden.dim() < 1 || weight.dim() != 2 || hidden.shape[^1] != weight.shape[1])
            throw new ArgumentException($"hidden [.., H] and weight [V, H] disagree: [{string.Join(", ", hidden.shape)}] vs [{string.Join(", ", weight.shape)}].");
        if (!targets.shape.SequenceEqual(hidden.shape[..^1]))
            throw new ArgumentException($"targets [{string.Join(", ", targets.shape)}] must match hidden without its last dimension [{string.Join(", ", hidden.shape[..^1])}].");
        if (temperature <= 0 || !double.IsFinite(temperature)) throw new ArgumentOutOfRangeException(nameof(temperature), temperature, "must be positive.");
        var settings = new Settings(temperature, withEntropies);
        bool differentiable = torch.is_grad_enabled() && (hidden.requires_grad || weight.requires_grad);
        var logps = differentiable
            ? apply(hidden, weight, targets, settings)
            : Forward(hidden, weight, targets, settings, needHiddenGrad: false).Logps;
        return (logps, settings.Entropies);
    }

    /// <inheritdoc/>
    public override Tensor forward(autograd.AutogradContext ctx, params object[] vars)
    {
        var (hidden, weight, targets, settings) = ((Tensor)vars[0], (Tensor)vars[1], (Tensor)vars[2], (Settings)vars[3]);
        var (logps, lse, direction) = Forward(hidden, weight, targets, settings, needHiddenGrad: hidden.requires_grad);
        var saved = new List<Tensor> { lse };
        if (direction is not null) saved.Add(direction);
        if (weight.requires_grad) saved.AddRange([hidden, weight, targets]);
        ctx.save_for_backward(saved);
        ctx.save_data("settings", settings);
        ctx.save_data("hidden_grad", direction is not null);
        ctx.save_data("weight_grad", weight.requires_grad);
        ctx.save_data("hidden_shape", hidden.shape);
        ctx.save_data("hidden_dtype", hidden.dtype);
        return logps;
    }

    /// <inheritdoc/>
    public override List<Tensor> backward(autograd.AutogradContext ctx, Tensor gradOutput)
    {
        var saved = ctx.get_saved_variables();
        var settings = (Settings)ctx.get_data("settings");
        bool hiddenGrad = (bool)ctx.get_data("hidden_grad"), weightGrad = (bool)ctx.get_data("weight_grad");
        var shape = (long[])ctx.get_data("hidden_shape");
        var lse = saved[0];
        using var scope = torch.NewDisposeScope();
        var g = gradOutput.reshape(-1).to(lse.dtype).unsqueeze(-1);
        Tensor? gradHidden = null, gradWeight = null;
        if (hiddenGrad)
            gradHidden = (g * saved[1]).to((ScalarType)ctx.get_data("hidden_dtype")).reshape(shape).MoveToOuterDisposeScope();
        if (weightGrad)
        {
            int at = hiddenGrad ? 2 : 1;
            gradWeight = WeightGradient(saved[at], saved[at + 1], saved[at + 2], lse, g, settings.Temperature).MoveToOuterDisposeScope();
        }
        // One entry per apply() argument: hidden, weight, targets, settings.
        return [gradHidden!, gradWeight!, null!, null!];
    }

    /// <summary>
    /// The blocked forward: log-probs (shaped like <paramref name="targets"/>), the per-row log-sum-exp of the scaled
    /// logits and, when <paramref name="needHiddenGrad"/>, the per-row gradient direction (W[t] − E_p[W]) / T.
    /// </summary>
    static (Tensor Logps, Tensor Lse, Tensor? Direction) Forward(Tensor hidden, Tensor weight, Tensor targets, Settings settings, bool needHiddenGrad)
    {
        using var scope = torch.NewDisposeScope();
        using var noGrad = torch.no_grad();
        var acc = hidden.dtype == ScalarType.Float64 ? ScalarType.Float64 : ScalarType.Float32;
        long size = weight.shape[1], vocab = weight.shape[0];
        var h = hidden.detach().reshape(-1, size);
        var w = weight.detach();
        var ids = targets.reshape(-1).to(ScalarType.Int64);
        long rows = h.shape[0];
        CheckTargets(ids, vocab);
        double t = settings.Temperature;

        // The target's own logit: one dot product per row (not picked out of the blocks).
        var targetRows = w.index_select(0, ids).to(acc);
        var targetLogit = (h.to(acc) * targetRows).sum(-1);
        // bf16/fp16 GEMMs round their outputs: round the target's logit the same way, so that it is the value the
        // blocks see and log p ≤ 0 holds.
        if (h.dtype != acc) targetLogit = targetLogit.to(h.dtype).to(acc);
        if (t != 1.0) targetLogit = targetLogit / t;

        var lse = torch.empty(rows, dtype: acc, device: h.device);
        var entropy = settings.WithEntropies ? torch.empty(rows, dtype: acc, device: h.device) : null;
        var expected = needHiddenGrad ? torch.empty(rows, size, dtype: acc, device: h.device) : null;
        for (long r0 = 0; r0 < rows; r0 += RowBlock)
        {
            using var rowScope = torch.NewDisposeScope();
            long m = Math.Min(RowBlock, rows - r0);
            var hb = h.narrow(0, r0, m);
            Tensor? max = null, s1 = null, s2 = null, e = null;
            for (long v0 = 0; v0 < vocab; v0 += VocabBlock)
            {
                using var blockScope = torch.NewDisposeScope();
                long n = Math.Min(VocabBlock, vocab - v0);
                var wb = w.narrow(0, v0, n);
                var z = nn.functional.linear(hb, wb).to(acc);
                if (t != 1.0) z.div_(t);
                var blockMax = z.amax([-1L], keepdim: true);
                var newMax = max is null ? blockMax : torch.maximum(max, blockMax);
                z.sub_(newMax);                      // z − max ≤ 0
                var p = z.exp();                     // unnormalised probabilities of the block
                var ps1 = p.sum(-1, keepdim: true);
                var ps2 = settings.WithEntropies ? (p * z).sum(-1, keepdim: true) : null;
                var pe = needHiddenGrad ? ExpectedRows(p, wb, acc) : null;
                if (max is null)
                {
                    (s1, s2, e) = (ps1, ps2, pe);
                }
                else
                {
                    // Rebase the running sums from the old max to the new one: Σ e^(z−m') = r·Σ e^(z−m) with
                    // r = e^(m−m'), and Σ e^(z−m')(z−m') = r·(Σ e^(z−m)(z−m) + (m−m')·Σ e^(z−m)).
                    var shift = max - newMax;
                    var rescale = shift.exp();
                    if (s2 is not null) s2 = rescale * (s2 + shift * s1!) + ps2!;
                    s1 = rescale * s1! + ps1;
                    if (e is not null) e = rescale * e + pe!;
                }
                max = newMax;
                max.MoveToOuterDisposeScope();
                s1!.MoveToOuterDisposeScope();
                s2?.MoveToOuterDisposeScope();
                e?.MoveToOuterDisposeScope();
            }
            var logS1 = s1!.log();
            lse.narrow(0, r0, m).copy_((max! + logS1).squeeze(-1));
            // H = −Σ p log p = log S1 − Σ e^(z−m)(z−m) / S1: both terms are small for peaked distributions.
            if (entropy is not null) entropy.narrow(0, r0, m).copy_((logS1 - s2! / s1).squeeze(-1));
            if (expected is not null) expected.narrow(0, r0, m).copy_(e! / s1);
        }
        var logps = (targetLogit - lse).reshape(targets.shape);
        if (entropy is not null) settings.Entropies = entropy.reshape(targets.shape).MoveToOuterDisposeScope();
        Tensor? direction = null;
        if (expected is not null)
        {
            direction = targetRows - expected;
            if (t != 1.0) direction = direction / t;
            direction.MoveToOuterDisposeScope();
        }
        return (logps.MoveToOuterDisposeScope(), lse.MoveToOuterDisposeScope(), direction);
    }

    // Σ_v p_v W[v] for a block: in the weight's dtype for bf16/fp16 weights (the fast GEMM), else in float32/64.
    static Tensor ExpectedRows(Tensor p, Tensor wb, ScalarType acc) =>
        wb.dtype == acc ? p.mm(wb) : p.to(wb.dtype).mm(wb).to(acc);

    // dL/dW[v] = Σ_rows g/T · (1[v = t] − p_v) · h: the probabilities are recomputed block by block from the saved lse.
    static Tensor WeightGradient(Tensor hidden, Tensor weight, Tensor targets, Tensor lse, Tensor g, double t)
    {
        using var noGrad = torch.no_grad();
        var acc = lse.dtype;
        long size = weight.shape[1], vocab = weight.shape[0];
        var h = hidden.detach().reshape(-1, size);
        var w = weight.detach();
        var ids = targets.reshape(-1).to(ScalarType.Int64);
        var scaled = g / t;                                   // [rows, 1]
        var grad = torch.zeros(vocab, size, dtype: acc, device: w.device);
        var h32 = h.to(acc);
        grad.index_add_(0, ids, scaled * h32, 1.0);
        for (long v0 = 0; v0 < vocab; v0 += VocabBlock)
        {
            using var blockScope = torch.NewDisposeScope();
            long n = Math.Min(VocabBlock, vocab - v0);
            var z = nn.functional.linear(h, w.narrow(0, v0, n)).to(acc);
            if (t != 1.0) z.div_(t);
            var p = (z - lse.unsqueeze(-1)).exp_();
            grad.narrow(0, v0, n).sub_((p * scaled).t().mm(h32));
        }
        return grad.to(weight.dtype);
    }

    static void CheckTargets(Tensor ids, long vocab)
    {
        if (ids.numel() == 0) return;
        long min = ids.min().item<long>(), max = ids.max().item<long>();
        if (min < 0 || max >= vocab)
            throw new ArgumentException($"target token ids must lie in [0, {vocab}) (the LM head's rows); got {min}..{max}.");
    }

    /// <summary>Per-call options, and the entropies the forward leaves behind.</summary>
    sealed class Settings(double temperature, bool withEntropies)
    {
        public double Temperature { get; } = temperature;
        public bool WithEntropies { get; } = withEntropies;
        public Tensor? Entropies { get; set; }
    }
}
