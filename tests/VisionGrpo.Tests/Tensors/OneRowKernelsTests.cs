using TorchSharp;
using VisionGrpo.Models;
using VisionGrpo.Models.Qwen2;
using VisionGrpo.Models.Qwen2_5_VL;
using VisionGrpo.Tensors;
using VisionGrpo.Tensors.OneRow;
using VisionGrpo.Tests.Models;
using static TorchSharp.torch;

namespace VisionGrpo.Tests.Tensors;

/// <summary>
/// The one-row (batch-1 decode) kernels against the modules' general path: RMSNorm, RoPE (plain, Qwen2.5-VL M-RoPE
/// sections, Qwen3-VL interleaved), SwiGLU, the residual add, decode attention (GQA, MHA, Qwen3 q/k norms, masked
/// left-padded slots, the cache write) and the tiny model's cached decode with the fast path on and off; and the calls
/// that must keep the general path (grad, two rows, non-contiguous, other dtypes).
/// </summary>
[Collection(GlobalRngCollection.Name)]
public sealed class OneRowKernelsTests
{
    /// <summary><paramref name="body"/> with the kernels off on this thread: the modules' general (torch) path.</summary>
    static T General<T>(Func<T> body)
    {
        OneRowKernels.OffOnThisThread = true;
        try { return body(); }
        finally { OneRowKernels.OffOnThisThread = false; }
    }

    static float[] Floats(Tensor t) => t.to(ScalarType.Float32).contiguous().data<float>().ToArray();

    /// <summary>Largest |a − b| in bf16 ulps of b (the spacing at b's magnitude).</summary>
    static double MaxUlps(Tensor a, Tensor b)
    {
        float[] x = Floats(a), y = Floats(b);
        double worst = 0;
        for (int i = 0; i < x.Length; i++)
        {
            if (x[i] == y[i]) continue;
            double ulp = Math.Pow(2, Math.Floor(Math.Log2(Math.Max(Math.Abs(y[i]), 1e-30))) - 7);
            worst = Math.Max(worst, Math.Abs(x[i] - y[i]) / ulp);
        }
        return worst;
    }

    /// <summary>Same shape and the same bits in every element (bf16 widens to fp32 exactly).</summary>
    static bool Same(Tensor a, Tensor b) =>
        a.shape.SequenceEqual(b.shape) && Floats(a).Select(BitConverter.SingleToInt32Bits).SequenceEqual(Floats(b).Select(BitConverter.SingleToInt32Bits));

    static long Mismatches(Tensor a, Tensor b) => Floats(a).Zip(Floats(b)).Count(p => p.First != p.Second);

    static double Scale(Tensor t) => t.to(ScalarType.Float64).abs().max().item<double>();

    [Theory]
    [InlineData(ScalarType.Float32)]
    [InlineData(ScalarType.BFloat16)]
    public void Rms_norm_matches_the_module(ScalarType dtype)
    {
        using var scope = NewDisposeScope();
        using var noGrad = no_grad();
        var gen = new Generator(21);
        foreach (int n in new[] { 1, 7, 33, 64, 333, 896, 1000 })
            foreach (double magnitude in new[] { 1e-3, 1.0, 300.0 })
            {
                using var norm = new Qwen2RMSNorm(n, 1e-6, dtype);
                norm.weight.copy_((1 + 0.5 * randn([n], generator: gen)).to(dtype));
                var x = (magnitude * randn([1, 1, n], generator: gen)).to(dtype);
                Assert.True(OneRowKernels.Applies(x, norm.weight));
                var fast = norm.forward(x);
                var general = General(() => norm.forward(x));
                Assert.Equal(general.shape, fast.shape);
                Assert.Equal(dtype, fast.dtype);
                // fp32: the same ops but the mean's summation order (≈ an ulp of the scale); bf16: torch's two roundings,
                // bit for bit.
                if (dtype == ScalarType.Float32) Assert.True(TinyFixture.MaxDiff(fast, general) <= 1e-6 * Scale(general), $"n = {n}, |x| ≈ {magnitude}");
                else Assert.True(Same(fast, general), $"n = {n}, |x| ≈ {magnitude}: {MaxUlps(fast, general)} ulps");
            }
    }

    public static TheoryData<ScalarType, string> RopeCases => new()
    {
        { ScalarType.Float32, "plain" }, { ScalarType.BFloat16, "plain" },
        { ScalarType.Float32, "sections" }, { ScalarType.BFloat16, "sections" },
        { ScalarType.Float32, "interleaved" }, { ScalarType.BFloat16, "interleaved" },
    };

    /// <summary>A text config of <paramref name="rope"/>'s kind: plain RoPE, Qwen2.5-VL M-RoPE sections, Qwen3-VL interleaved.</summary>
    static Qwen2TextConfig Config(string rope, int heads, int kvHeads, int headDim, bool qkNorm = false) => new()
    {
        VocabSize = 64, HiddenSize = heads * headDim, IntermediateSize = 96, NumHiddenLayers = 1,
        NumAttentionHeads = heads, NumKeyValueHeads = kvHeads, HeadDim = headDim,
        MropeSection = rope switch
        {
            "plain" => null,
            "sections" => [headDim / 8, 3 * headDim / 16, 3 * headDim / 16],
            _ => [headDim / 2 - 2 * (3 * headDim / 16), 3 * headDim / 16, 3 * headDim / 16],
        },
        MropeInterleaved = rope == "interleaved",
        QkNorm = qkNorm, QkvBias = !qkNorm,
    };

    /// <summary>Positions <c>[3, 1, L]</c> whose temporal, height and width rows differ, so every M-RoPE section matters.</summary>
    static Tensor Positions(long start, long length)
    {
        var t = arange(start, start + length, dtype: ScalarType.Int64);
        return stack([t, t * 3 + 7, t * 5 + 1000]).unsqueeze(1);
    }

    [Theory]
    [MemberData(nameof(RopeCases))]
    public void Rope_matches_the_general_rotation_bit_for_bit(ScalarType dtype, string rope)
    {
        using var scope = NewDisposeScope();
        using var noGrad = no_grad();
        var config = Config(rope, heads: 3, kvHeads: 3, headDim: 64);
        using var rotary = new Qwen2RotaryEmbedding(config);
        var (cos, sin) = rotary.Compute(Positions(4321, 1), dtype);
        var x = (4 * randn([1, 3, 1, 64], generator: new Generator(22))).to(dtype);
        var general = Qwen2RotaryEmbedding.Apply(x, cos, sin);
        var fast = x.clone();
        unsafe
        {
            bool bf16 = dtype == ScalarType.BFloat16;
            var row = stackalloc float[64];
            var c = stackalloc float[64];
            var s = stackalloc float[64];
            RowMath.Widen(TensorMemory.Pointer(cos), bf16, c, 64);
            RowMath.Widen(TensorMemory.Pointer(sin), bf16, s, 64);
            byte* data = (byte*)TensorMemory.Pointer(fast);
            for (int h = 0; h < 3; h++)
            {
                byte* head = data + h * 64 * fast.element_size();
                RowMath.Widen(head, bf16, row, 64);
                RowMath.Rope(row, c, s, 64, bf16);
                RowMath.Narrow(row, bf16, head, 64);
            }
        }
        Assert.True(Same(fast, general), $"{MaxUlps(fast, general)} ulps");
    }

    [Theory]
    [InlineData(ScalarType.Float32)]
    [InlineData(ScalarType.BFloat16)]
    public void Swiglu_and_residual_add_match_torch(ScalarType dtype)
    {
        using var scope = NewDisposeScope();
        using var noGrad = no_grad();
        var gen = new Generator(23);
        foreach (int n in new[] { 5, 64, 4864, 1001 })
        {
            var gate = (6 * randn([1, 1, n], generator: gen)).to(dtype);
            var up = (2 * randn([1, 1, n], generator: gen)).to(dtype);
            var expected = nn.functional.silu(gate) * up;
            var fast = OneRowKernels.SiluMulInto(gate.clone(), up);
            // exp is .NET's, not Sleef's: fp32 within an ulp or two of the scale. bf16 rounds silu's output and then the
            // product's, as torch does (bit for bit here; one rounding fewer flips ≈ 25 % of them): at most one element
            // in a thousand may land on the other side of a tie, by one ulp.
            if (dtype == ScalarType.Float32) Assert.True(TinyFixture.MaxDiff(fast, expected) <= 1e-6 * Scale(expected), $"silu n = {n}");
            else Assert.True(MaxUlps(fast, expected) <= 1 && Mismatches(fast, expected) <= n / 1000, $"silu n = {n}: {Mismatches(fast, expected)} differ, by up to {MaxUlps(fast, expected)} ulps");

            var sum = gate + up;
            Assert.True(Same(OneRowKernels.AddInto(gate, up.clone()), sum), $"add n = {n}");
        }
    }

    public static TheoryData<ScalarType, string, int, int, int, bool, int> AttentionCases => new()
    {
        // dtype, rope, heads, kv heads, head dim, Qwen3 q/k norm, prompt length
        { ScalarType.Float32, "sections", 4, 2, 32, false, 9 },
        { ScalarType.BFloat16, "sections", 4, 2, 32, false, 9 },
        { ScalarType.Float32, "plain", 2, 2, 64, false, 9 },
        { ScalarType.BFloat16, "plain", 2, 2, 64, false, 9 },
        { ScalarType.Float32, "interleaved", 4, 1, 64, true, 9 },
        { ScalarType.BFloat16, "interleaved", 4, 1, 64, true, 9 },
        // A head dimension off the vector width (36: tails in every loop), three queries per KV head.
        { ScalarType.Float32, "plain", 6, 2, 36, false, 9 },
        { ScalarType.BFloat16, "plain", 6, 2, 36, false, 9 },
        { ScalarType.Float32, "sections", 14, 2, 64, false, 700 },
        { ScalarType.BFloat16, "sections", 14, 2, 64, false, 700 },
    };

    /// <summary>
    /// One layer's attention decoding three tokens after a left-padded prompt (its first three slots masked), fast path
    /// against the general path on a copy of the cache: the cached keys and values bit for bit, the attention output
    /// (o_proj is the identity, so it is the output itself) within the stated tolerance.
    /// </summary>
    [Theory]
    [MemberData(nameof(AttentionCases))]
    public void Decode_attention_matches_sdpa(ScalarType dtype, string rope, int heads, int kvHeads, int headDim, bool qkNorm, int prompt)
    {
        using var scope = NewDisposeScope();
        using var noGrad = no_grad();
        manual_seed(24);
        var config = Config(rope, heads, kvHeads, headDim, qkNorm);
        using var attention = new Qwen2Attention(config, 0, dtype, null);
        attention.o_proj.weight!.copy_(eye(config.HiddenSize, dtype: dtype));
        if (qkNorm)
        {
            attention.q_norm!.weight.copy_((1 + 0.3 * randn([headDim])).to(dtype));
            attention.k_norm!.weight.copy_((1 + 0.3 * randn([headDim])).to(dtype));
        }
        // Larger activations than the default init gives, so the softmax is far from uniform.
        foreach (var proj in new[] { attention.q_proj, attention.k_proj, attention.v_proj })
            proj.weight!.mul_(8);
        using var rotary = new Qwen2RotaryEmbedding(config);
        using var cache = new KvCache(1, 1, kvHeads, headDim, prompt + 3, dtype);
        var keyMask = cat([zeros([1, 3], dtype: ScalarType.Bool), ones([1, prompt - 3], dtype: ScalarType.Bool)], 1);
        var inputs = Inputs(rotary, cache, cache.BeginStep(keyMask, prompt), 0, prompt, dtype);
        attention.forward(randn([1, prompt, config.HiddenSize]).to(dtype), inputs);
        cache.EndStep(prompt);
        using var copy = cache.SelectRows(tensor(new long[] { 0 }));
        for (int step = 0; step < 3; step++)
        {
            int start = cache.Length;
            var x = randn([1, 1, config.HiddenSize]).to(dtype);
            var fast = attention.forward(x, Inputs(rotary, cache, cache.BeginStep(null, 1), start, 1, dtype));
            var general = General(() => attention.forward(x, Inputs(rotary, copy, copy.BeginStep(null, 1), start, 1, dtype)));
            cache.EndStep(1);
            copy.EndStep(1);
            var (keys, values) = Cached(cache, kvHeads, headDim, dtype);
            var (generalKeys, generalValues) = Cached(copy, kvHeads, headDim, dtype);
            Assert.True(Same(keys, generalKeys), $"step {step}: cached keys differ by {MaxUlps(keys, generalKeys)} ulps");
            Assert.True(Same(values, generalValues), $"step {step}: cached values differ");
            if (dtype == ScalarType.Float32)
            {
                // Summation order only (measured ≤ 3e-6 of the scale at 700 slots, ≤ 4e-7 at 9).
                double diff = TinyFixture.MaxDiff(fast, general);
                Assert.True(diff <= 1e-5 * Scale(general), $"step {step}: |fast − sdpa| = {diff:E3}, scale {Scale(general):E3}");
            }
            else
            {
                // The kernel rounds the softmax weights to bf16 before the value sum, as SDPA's CPU kernel does (without
                // that rounding: 30 % of the outputs off, by up to half a percent of the scale). Measured: bit for bit at
                // 9 slots; at 700, where SDPA works in blocks of keys and sums in another order, 1–3 % of the outputs
                // off by at most one bf16 ulp of the output's scale (more ulps of an output near zero).
                double ulp = Math.Pow(2, Math.Floor(Math.Log2(Scale(general))) - 7);
                long allowed = prompt > 512 ? fast.numel() / 20 : fast.numel() / 100;
                Assert.True(TinyFixture.MaxDiff(fast, general) <= 2 * ulp && Mismatches(fast, general) <= allowed,
                    $"step {step}: {Mismatches(fast, general)} of {fast.numel()} outputs differ, by up to {TinyFixture.MaxDiff(fast, general) / ulp} ulps of the scale");
            }
        }
    }

    static DecoderInputs Inputs(Qwen2RotaryEmbedding rotary, KvCache cache, Tensor keyMask, int start, int length, ScalarType dtype)
    {
        var (cos, sin) = rotary.Compute(Positions(start, length), dtype);
        return new DecoderInputs
        {
            Cos = cos,
            Sin = sin,
            Allowed = DecoderInputs.BuildAllowed(keyMask, start, length, false, CPU),
            IsCausal = true,
            Cache = cache,
        };
    }

    /// <summary>All filled slots of the one layer of <paramref name="cache"/> (an update of zero slots returns them).</summary>
    static (Tensor Keys, Tensor Values) Cached(KvCache cache, int kvHeads, int headDim, ScalarType dtype)
    {
        var none = empty([1, kvHeads, 0, headDim], dtype: dtype);
        return cache.Update(0, none, none);
    }

    [Theory]
    [InlineData(ScalarType.Float32, 1e-4)]
    [InlineData(ScalarType.BFloat16, 3e-2)]
    public void Cached_decode_of_the_tiny_model_matches_with_the_kernels_off(ScalarType dtype, double tolerance)
    {
        using var scope = NewDisposeScope();
        using var noGrad = no_grad();
        using var model = TinyFixture.Model(dtype);
        manual_seed(25);
        var ids = randint(0, 100, [1, 6], dtype: ScalarType.Int64);
        AssertSameDecode(Greedy(model, ids, 8), General(() => Greedy(model, ids, 8)), tolerance);
    }

    /// <summary>The same greedy tokens, and each step's logits within <paramref name="tolerance"/> of their scale.</summary>
    static void AssertSameDecode((List<long> Tokens, List<Tensor> Logits) fast, (List<long> Tokens, List<Tensor> Logits) general, double tolerance)
    {
        Assert.Equal(general.Tokens, fast.Tokens);
        for (int i = 0; i < fast.Logits.Count; i++)
            Assert.True(TinyFixture.MaxDiff(fast.Logits[i], general.Logits[i]) <= tolerance * Scale(general.Logits[i]), $"step {i}");
    }

    /// <summary>Greedy decode of <paramref name="steps"/> tokens after <paramref name="ids"/>: the tokens and each step's logits.</summary>
    static (List<long> Tokens, List<Tensor> Logits) Greedy(QwenVLForConditionalGeneration model, Tensor ids, int steps)
    {
        using var cache = KvCache.For(model.Config.Text, 1, (int)ids.shape[1] + steps, model.DType);
        var logits = model.forward(new QwenVLInputs { InputIds = ids, Cache = cache, LogitsToKeep = LogitsToKeep.LastN(1) }).Logits;
        var tokens = new List<long>();
        var all = new List<Tensor>();
        for (int i = 0; i < steps; i++)
        {
            var next = logits[.., -1, ..].argmax(-1);
            tokens.Add(next.item<long>());
            logits = model.forward(new QwenVLInputs { InputIds = next.unsqueeze(1), Cache = cache, LogitsToKeep = LogitsToKeep.LastN(1) }).Logits;
            all.Add(logits.to(ScalarType.Float32));
        }
        return (tokens, all);
    }

    /// <summary>
    /// A batch of two left-padded prompts decodes two steps (general path), then drops its first row: the remaining
    /// single row has masked slots and takes the fast path, against the same run with the kernels off.
    /// </summary>
    [Theory]
    [InlineData(ScalarType.Float32, 1e-4)]
    [InlineData(ScalarType.BFloat16, 3e-2)]
    public void A_batch_shrinking_to_one_left_padded_row_matches_with_the_kernels_off(ScalarType dtype, double tolerance)
    {
        using var scope = NewDisposeScope();
        using var noGrad = no_grad();
        using var model = TinyFixture.Model(dtype);
        manual_seed(26);
        var ids = randint(0, 100, [2, 7], dtype: ScalarType.Int64);
        var mask = ones([2, 7], dtype: ScalarType.Int64);
        mask[1, ..3].fill_(0);
        AssertSameDecode(ShrinkingDecode(model, ids, mask), General(() => ShrinkingDecode(model, ids, mask)), tolerance);
    }

    static (List<long> Tokens, List<Tensor> Logits) ShrinkingDecode(QwenVLForConditionalGeneration model, Tensor ids, Tensor mask)
    {
        var cache = KvCache.For(model.Config.Text, 2, 14, model.DType);
        try
        {
            var logits = model.forward(new QwenVLInputs { InputIds = ids, AttentionMask = mask, Cache = cache, LogitsToKeep = LogitsToKeep.LastN(1) }).Logits;
            var tokens = new List<long>();
            var all = new List<Tensor>();
            for (int i = 0; i < 6; i++)
            {
                var next = logits[.., -1, ..].argmax(-1);
                tokens.AddRange(next.data<long>().ToArray());
                if (i == 2)
                {
                    // The first row finished: keep the left-padded second one alone.
                    var kept = cache.SelectRows(tensor(new long[] { 1 }));
                    cache.Dispose();
                    cache = kept;
                    next = next.narrow(0, 1, 1);
                }
                logits = model.forward(new QwenVLInputs { InputIds = next.unsqueeze(1), Cache = cache, LogitsToKeep = LogitsToKeep.LastN(1) }).Logits;
                all.Add(logits.to(ScalarType.Float32));
            }
            return (tokens, all);
        }
        finally { cache.Dispose(); }
    }

    [Fact]
    public void Other_calls_keep_the_general_path()
    {
        using var scope = NewDisposeScope();
        var weight = ones(16);
        var row = randn(1, 1, 16);
        using (no_grad())
        {
            Assert.True(OneRowKernels.Applies(row, weight));
            Assert.False(OneRowKernels.Applies(randn(2, 1, 16), weight), "two rows");
            Assert.False(OneRowKernels.Applies(randn(1, 3, 16), weight), "three tokens");
            Assert.False(OneRowKernels.Applies(randn(1, 16, 2)[.., .., 0], weight), "non-contiguous row");
            Assert.False(OneRowKernels.Applies(row, randn(32)[TensorIndex.Slice(step: 2)]), "non-contiguous weight");
            Assert.False(OneRowKernels.Applies(row.to(ScalarType.Float16), weight.to(ScalarType.Float16)), "fp16");
            Assert.False(OneRowKernels.Applies(row, weight.to(ScalarType.BFloat16)), "weight of another dtype");
            OneRowKernels.Enabled = false;
            try { Assert.False(OneRowKernels.Applies(row, weight), "switched off"); }
            finally { OneRowKernels.Enabled = true; }
        }
        Assert.False(OneRowKernels.Applies(row, weight), "grad enabled");
        // Grad enabled: the module's autograd path (a graph), not the kernel's plain output.
        using var norm = new Qwen2RMSNorm(16, 1e-6);
        Assert.True(norm.forward(row).requires_grad);
        // A non-contiguous row goes through torch and equals the contiguous one's result.
        using (no_grad())
        {
            var strided = randn(1, 16, 2)[.., .., 0];
            Assert.True(TinyFixture.MaxDiff(norm.forward(strided), norm.forward(strided.contiguous())) <= 1e-6);
        }
    }
}
