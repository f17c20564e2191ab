using System.Text.Json;

namespace VisionGrpo.Models.Qwen2;

/// <summary>
/// Hyper-parameters of the Qwen2 decoder, shared by <c>Qwen2ForCausalLM</c> (Qwen2 / Qwen2.5 text models) and the
/// language model of Qwen2.5-VL. Read with <see cref="FromJson"/> from any on-disk shape of <c>config.json</c>.
/// </summary>
public sealed record Qwen2TextConfig
{
    /// <summary>Rows of the embedding matrix (and of the LM head).</summary>
    public required int VocabSize { get; init; }
    /// <summary>Width of the residual stream.</summary>
    public required int HiddenSize { get; init; }
    /// <summary>Width of the SwiGLU MLP.</summary>
    public required int IntermediateSize { get; init; }
    /// <summary>Number of decoder layers.</summary>
    public required int NumHiddenLayers { get; init; }
    /// <summary>Query heads.</summary>
    public required int NumAttentionHeads { get; init; }
    /// <summary>Key/value heads (GQA: each serves <c>NumAttentionHeads / NumKeyValueHeads</c> query heads).</summary>
    public required int NumKeyValueHeads { get; init; }
    /// <summary>Per-head width (<c>head_dim</c>, default hidden / heads).</summary>
    public required int HeadDim { get; init; }
    /// <summary>RMSNorm epsilon.</summary>
    public double RmsNormEps { get; init; } = 1e-6;
    /// <summary>RoPE base.</summary>
    public double RopeTheta { get; init; } = 1e6;
    /// <summary>M-RoPE split of the <c>HeadDim/2</c> frequencies into (temporal, height, width); null = plain 1-D RoPE.</summary>
    public int[]? MropeSection { get; init; }
    /// <summary>True when the LM head reuses the embedding matrix.</summary>
    public bool TieWordEmbeddings { get; init; }
    /// <summary>Maximum position the model was trained for (informational).</summary>
    public int MaxPositionEmbeddings { get; init; } = 32768;
    /// <summary>
    /// Interleaved M-RoPE (Qwen3-VL, <c>rope_scaling.mrope_interleaved</c>): frequency j turns with height when
    /// <c>j % 3 == 1</c>, with width when <c>j % 3 == 2</c> (inside their sections), else with time — instead of the
    /// Qwen2.5-VL split into three consecutive blocks.
    /// </summary>
    public bool MropeInterleaved { get; init; }
    /// <summary>Biases on q/k/v (Qwen2: always; Qwen3: <c>attention_bias</c>, false in every release).</summary>
    public bool QkvBias { get; init; } = true;
    /// <summary>Bias on <c>o_proj</c> (Qwen2: never; Qwen3: <c>attention_bias</c>).</summary>
    public bool OutputBias { get; init; }
    /// <summary>Qwen3 attention: RMSNorm <c>q_norm</c>/<c>k_norm</c> over head_dim on every head, before RoPE.</summary>
    public bool QkNorm { get; init; }

    /// <summary>Width of the concatenated query heads.</summary>
    public int QueryWidth => NumAttentionHeads * HeadDim;
    /// <summary>Width of the concatenated key (or value) heads.</summary>
    public int KeyValueWidth => NumKeyValueHeads * HeadDim;

    static readonly string[] SupportedRopeTypes = ["default", "mrope"];

    /// <summary>
    /// Reads the text part of a Qwen2 / Qwen2.5-VL config: <c>text_config.X</c> first, then top-level <c>X</c>;
    /// <c>mrope_section</c> from <c>rope_scaling</c> or <c>rope_parameters</c>; <c>tie_word_embeddings</c> top level first.
    /// </summary>
    public static Qwen2TextConfig FromJson(JsonElement root, string source)
    {
        JsonElement? top = root;
        JsonElement? text = ConfigJson.Object("text_config", top);
        JsonElement?[] scopes = [text, top];
        int hidden = ConfigJson.Int(source, "hidden_size", null, scopes);
        int heads = ConfigJson.Int(source, "num_attention_heads", null, scopes);
        int kvHeads = ConfigJson.Int(source, "num_key_value_heads", heads, scopes);
        if (heads <= 0 || kvHeads <= 0 || heads % kvHeads != 0)
            throw new InvalidDataException($"{source}: num_attention_heads ({heads}) must be a positive multiple of num_key_value_heads ({kvHeads}).");
        int? headDim = ConfigJson.OptionalInt(source, "head_dim", scopes);
        if (headDim is null && hidden % heads != 0)
            throw new InvalidDataException($"{source}: hidden_size {hidden} is not divisible by num_attention_heads {heads} and no head_dim is given.");
        int hd = headDim ?? hidden / heads;

        string act = ConfigJson.String(source, "hidden_act", scopes) ?? "silu";
        if (act != "silu")
            throw new NotSupportedException($"{source}: hidden_act '{act}' is not supported (Qwen2 uses 'silu').");
        if (ConfigJson.Bool(source, "use_sliding_window", false, scopes))
            throw new NotSupportedException($"{source}: use_sliding_window=true is not supported (no released Qwen2.5 model uses it).");

        var rope = ConfigJson.Object("rope_scaling", text, top) ?? ConfigJson.Object("rope_parameters", text, top);
        int[]? section = null;
        bool interleaved = false;
        if (rope is not null)
        {
            string ropeType = ConfigJson.String(source, "rope_type", rope) ?? ConfigJson.String(source, "type", rope) ?? "default";
            // HF rewrites "mrope" to "default": plain frequencies, M-RoPE split, attention factor 1.
            if (!SupportedRopeTypes.Contains(ropeType))
                throw new NotSupportedException($"{source}: rope scaling type '{ropeType}' is not supported (only default/mrope).");
            var s = ConfigJson.IntList(source, "mrope_section", rope);
            if (s.Length > 0)
            {
                if (s.Length != 3 || s.Sum() != hd / 2)
                    throw new InvalidDataException($"{source}: mrope_section [{string.Join(", ", s)}] must have 3 entries summing to head_dim/2 = {hd / 2}.");
                section = s;
            }
            interleaved = ConfigJson.Bool(source, "mrope_interleaved", false, rope);
        }
        double theta = ConfigJson.Double(source, "rope_theta", double.NaN, rope) is var t && !double.IsNaN(t)
            ? t : ConfigJson.Double(source, "rope_theta", 1e6, scopes);

        return new Qwen2TextConfig
        {
            VocabSize = ConfigJson.Int(source, "vocab_size", null, scopes),
            HiddenSize = hidden,
            IntermediateSize = ConfigJson.Int(source, "intermediate_size", null, scopes),
            NumHiddenLayers = ConfigJson.Int(source, "num_hidden_layers", null, scopes),
            NumAttentionHeads = heads,
            NumKeyValueHeads = kvHeads,
            HeadDim = hd,
            RmsNormEps = ConfigJson.Double(source, "rms_norm_eps", 1e-6, scopes),
            RopeTheta = theta,
            MropeSection = section,
            MropeInterleaved = interleaved,
            // The top-level value wins: v5 configs may repeat it (stale) inside text_config.
            TieWordEmbeddings = ConfigJson.Bool(source, "tie_word_embeddings", false, top, text),
            MaxPositionEmbeddings = ConfigJson.Int(source, "max_position_embeddings", 32768, scopes),
        };
    }
}
