using System.Text;
using System.Text.Json;

namespace VisionGrpo.Text;

/// <summary>
/// The text side of the Qwen2-VL / Qwen2.5-VL processor: chat template → placeholder expansion → tokenization →
/// padding (left by default, for batched generation). Each <c>&lt;|image_pad|&gt;</c> becomes
/// <c>t·h·w / merge_size²</c> copies using the image grids in order across the batch (videos likewise with
/// <c>&lt;|video_pad|&gt;</c>). Grids are plain <c>(t, h, w)</c> patch counts from the image processor.
/// </summary>
public sealed class VlTextProcessor
{
    /// <summary>The tokenizer used for encoding.</summary>
    public HfTokenizer Tokenizer { get; }
    /// <summary>The chat template, or null when the model folder has none.</summary>
    public ChatTemplate? Template { get; }
    /// <summary>Spatial merge size of the vision tower (2 for Qwen2-VL and Qwen2.5-VL).</summary>
    public int MergeSize { get; }
    /// <summary>The image placeholder token text.</summary>
    public string ImageToken { get; }
    /// <summary>The video placeholder token text.</summary>
    public string VideoToken { get; }

    /// <summary>Creates a processor from its parts.</summary>
    public VlTextProcessor(HfTokenizer tokenizer, ChatTemplate? template, int mergeSize = 2,
        string imageToken = "<|image_pad|>", string videoToken = "<|video_pad|>")
    {
        ArgumentNullException.ThrowIfNull(tokenizer);
        if (mergeSize <= 0) throw new ArgumentOutOfRangeException(nameof(mergeSize), mergeSize, "merge_size must be positive.");
        Tokenizer = tokenizer;
        Template = template;
        MergeSize = mergeSize;
        ImageToken = imageToken;
        VideoToken = videoToken;
    }

    /// <summary>
    /// Loads tokenizer, chat template and <c>merge_size</c> (from <c>preprocessor_config.json</c>, default 2) of a
    /// model folder.
    /// </summary>
    public static VlTextProcessor FromDirectory(string modelDir)
    {
        var tokenizer = HfTokenizer.FromDirectory(modelDir);
        var templates = ChatTemplates.FromDirectory(modelDir);
        int mergeSize = 2;
        string preprocessor = Path.Combine(modelDir, "preprocessor_config.json");
        if (File.Exists(preprocessor))
        {
            using var doc = TokenizerConfig.ParseFile(preprocessor);
            if (doc.RootElement.TryGetProperty("merge_size", out var m)) mergeSize = m.GetInt32();
        }
        return new VlTextProcessor(tokenizer, templates is null ? null : new ChatTemplate(templates.Select()), mergeSize);
    }

    ChatTemplate RequireTemplate() => Template ?? throw new InvalidOperationException(
        "This processor has no chat template (the model folder has no chat_template.jinja / chat_template.json / tokenizer_config.json chat_template).");

    /// <summary><c>processor.apply_chat_template(messages, add_generation_prompt=..., tokenize=False)</c>.</summary>
    /// <param name="messages">The conversation as a JSON array.</param>
    /// <param name="addGenerationPrompt">Append <c>&lt;|im_start|&gt;assistant\n</c>.</param>
    /// <param name="kwargs">Optional JSON object of extra template variables (e.g. <c>add_vision_id</c>).</param>
    public string ApplyChatTemplate(JsonElement messages, bool addGenerationPrompt, JsonElement? kwargs = null)
    {
        var vars = new Dictionary<string, object?>(StringComparer.Ordinal);
        if (kwargs is { ValueKind: JsonValueKind.Object } k)
            foreach (var p in k.EnumerateObject()) vars[p.Name] = Jinja.JinjaJson.FromJson(p.Value);
        vars["add_generation_prompt"] = addGenerationPrompt;
        return RequireTemplate().RenderWithKwargs(ChatTemplate.MessagesFromJson(messages), vars, ChatTemplate.SpecialTokenVariables(Tokenizer.Config));
    }

    /// <summary>
    /// Replaces each image/video placeholder with one copy per merged patch, consuming grids in order across all
    /// texts (HF semantics).
    /// </summary>
    /// <exception cref="ArgumentException">The placeholder count differs from the grid count, or a grid is not a
    /// positive multiple of merge_size².</exception>
    public IReadOnlyList<string> ExpandPlaceholders(IReadOnlyList<string> texts,
        IReadOnlyList<(long T, long H, long W)>? imageGrids = null, IReadOnlyList<(long T, long H, long W)>? videoGrids = null)
    {
        ArgumentNullException.ThrowIfNull(texts);
        imageGrids ??= [];
        videoGrids ??= [];
        CheckCount(texts, ImageToken, imageGrids.Count, "image");
        CheckCount(texts, VideoToken, videoGrids.Count, "video");
        int nextImage = 0, nextVideo = 0;
        var result = new List<string>(texts.Count);
        foreach (var text in texts)
        {
            var sb = new StringBuilder(text.Length);
            int pos = 0;
            while (pos < text.Length)
            {
                int img = text.IndexOf(ImageToken, pos, StringComparison.Ordinal);
                int vid = text.IndexOf(VideoToken, pos, StringComparison.Ordinal);
                if (img < 0 && vid < 0) break;
                bool isImage = vid < 0 || (img >= 0 && img < vid);
                int at = isImage ? img : vid;
                string token = isImage ? ImageToken : VideoToken;
                var grid = isImage ? imageGrids[nextImage++] : videoGrids[nextVideo++];
                long copies = TokensPerGrid(grid, isImage ? "image" : "video", isImage ? nextImage - 1 : nextVideo - 1);
                sb.Append(text, pos, at - pos);
                for (long c = 0; c < copies; c++) sb.Append(token);
                pos = at + token.Length;
            }
            sb.Append(text, pos, text.Length - pos);
            result.Add(sb.ToString());
        }
        return result;
    }

    /// <summary>Number of placeholder tokens one image or video occupies: <c>t·h·w / merge_size²</c>.</summary>
    public long TokensPerGrid((long T, long H, long W) grid, string kind = "image", int index = 0)
    {
        var (t, h, w) = grid;
        long merge = (long)MergeSize * MergeSize;
        if (t <= 0 || h <= 0 || w <= 0 || t * h * w % merge != 0)
            throw new ArgumentException($"{kind} grid {index} is ({t}, {h}, {w}); every dimension must be positive and t·h·w a multiple of merge_size² = {merge}.");
        return t * h * w / merge;
    }

    static void CheckCount(IReadOnlyList<string> texts, string token, int grids, string kind)
    {
        int placeholders = texts.Sum(t => CountOf(t, token));
        if (placeholders != grids)
            throw new ArgumentException(
                $"The texts contain {placeholders} {token} placeholder(s) but {grids} {kind} grid(s) were given; each {kind} needs exactly one placeholder.");
    }

    static int CountOf(string text, string token)
    {
        int n = 0;
        for (int i = text.IndexOf(token, StringComparison.Ordinal); i >= 0; i = text.IndexOf(token, i + token.Length, StringComparison.Ordinal)) n++;
        return n;
    }

    /// <summary>
    /// Expands placeholders and tokenizes the texts into a padded batch with attention masks. Padding defaults to
    /// the left (what batched generation needs); pass options to change side, truncation or length.
    /// </summary>
    public BatchEncoding Encode(IReadOnlyList<string> texts, IReadOnlyList<(long T, long H, long W)>? imageGrids = null,
        IReadOnlyList<(long T, long H, long W)>? videoGrids = null, BatchEncodeOptions? options = null)
    {
        var expanded = ExpandPlaceholders(texts, imageGrids, videoGrids);
        return Tokenizer.EncodeBatch(expanded, options ?? new BatchEncodeOptions { PaddingSide = Side.Left });
    }
}
