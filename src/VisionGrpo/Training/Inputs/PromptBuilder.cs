using System.Text.Json;
using TorchSharp;
using VisionGrpo.Data;
using VisionGrpo.Data.Validation;
using VisionGrpo.Generation;
using VisionGrpo.Models;
using VisionGrpo.Text;
using VisionGrpo.Vision;

namespace VisionGrpo.Training.Inputs;

/// <summary>
/// Turns dataset rows into model prompts the way the recipe does: system prompt, then a user turn with the image(s)
/// first, in column order (TRL's <c>images</c> column may hold several), and the problem text after it, rendered with the model's own chat template (generation prompt added),
/// image placeholders expanded, left truncation to <c>max_prompt_length</c> that never cuts image tokens, left padding.
/// </summary>
public sealed class PromptBuilder
{
    readonly VlTextProcessor _text;
    readonly QwenImageProcessor? _images;
    readonly JsonElement? _templateKwargs;
    readonly HashSet<int> _protectedIds;

    /// <summary>Creates a builder.</summary>
    /// <param name="text">Tokenizer + chat template of the model.</param>
    /// <param name="images">Image processor (null for text-only data).</param>
    /// <param name="systemPrompt">System message text (null or empty: none).</param>
    /// <param name="promptColumn">Column with the problem text.</param>
    /// <param name="imageColumn">Column with the image or a list of images (null: none; rows where it is absent or null are text-only).</param>
    /// <param name="maxPromptLength">Left-truncate longer prompts to this many tokens (null: never).</param>
    /// <param name="chatTemplateKwargs">Extra template variables (<c>chat_template_kwargs</c>).</param>
    public PromptBuilder(VlTextProcessor text, QwenImageProcessor? images, string? systemPrompt, string promptColumn = "problem",
        string? imageColumn = "image", int? maxPromptLength = null, IReadOnlyDictionary<string, string>? chatTemplateKwargs = null)
    {
        _text = text;
        _images = images;
        SystemPrompt = string.IsNullOrEmpty(systemPrompt) ? null : systemPrompt;
        PromptColumn = promptColumn;
        ImageColumn = imageColumn;
        MaxPromptLength = maxPromptLength;
        _templateKwargs = chatTemplateKwargs is { Count: > 0 } ? JsonSerializer.SerializeToElement(chatTemplateKwargs) : null;
        _protectedIds = new[] { "<|image_pad|>", "<|vision_start|>", "<|vision_end|>" }
            .Select(text.Tokenizer.TokenToId).OfType<int>().ToHashSet();
    }

    /// <summary>The system message (null: none).</summary>
    public string? SystemPrompt { get; }
    /// <summary>Column with the problem text.</summary>
    public string PromptColumn { get; }
    /// <summary>Column with the image or the list of images (null: the prompts are text-only).</summary>
    public string? ImageColumn { get; }
    /// <summary><c>max_prompt_length</c> (null: no truncation).</summary>
    public int? MaxPromptLength { get; }
    /// <summary>The tokenizer's pad id (EOS when it has none), used for left padding.</summary>
    public int PadTokenId => _text.Tokenizer.PadTokenId ?? _text.Tokenizer.EosTokenId
        ?? throw new InvalidOperationException("the tokenizer has neither a pad nor an EOS token.");

    /// <summary>The rendered chat text for one row (before placeholder expansion).</summary>
    public string Render(DatasetRow row, int imageCount) =>
        _text.ApplyChatTemplate(ChatPrompt.Messages(SystemPrompt, Problem(row), imageCount), addGenerationPrompt: true, kwargs: _templateKwargs);

    /// <summary>
    /// The row's images in order: one for an <c>image</c> cell, several for a list (TRL's <c>images</c>), none for a
    /// text-only prompt (no image column, the row lacks it, or it is null), as TRL does.
    /// </summary>
    public IReadOnlyList<ImageCell> ImagesOf(DatasetRow row) =>
        ImageColumn is not null && row.ContainsKey(ImageColumn) ? row.GetImages(ImageColumn) : [];

    string Problem(DatasetRow row) => row.GetString(PromptColumn)
        ?? throw new InvalidDataException($"{row.Source}: column '{PromptColumn}' is missing or null (set prompt_column).");

    /// <summary>Builds the left-padded batch for <paramref name="rows"/>.</summary>
    /// <exception cref="BadRowException">A row's image cannot be read, decoded or processed (the row is named).</exception>
    /// <exception cref="InvalidDataException">A row lacks the prompt column.</exception>
    /// <exception cref="ArgumentException">An image alone is longer than <c>max_prompt_length</c>.</exception>
    public PromptBatch Build(IReadOnlyList<DatasetRow> rows)
    {
        var images = new List<RgbImage>();
        var imageCounts = new int[rows.Count];
        for (int i = 0; i < rows.Count; i++)
        {
            var cells = ImagesOf(rows[i]);
            if (cells.Count > 0 && _images is null)
                throw new InvalidOperationException($"{rows[i].Source} has an image in column '{ImageColumn}' but the model takes text only (no vision tower or no preprocessor_config.json); set image_column: none to use the text alone.");
            foreach (var cell in cells)
            {
                try
                {
                    var image = ImageDecoder.Decode(cell.ReadBytes(), rows[i].Source.ToString());
                    _images!.TargetSize(image.Height, image.Width); // the processor's size rules (aspect ratio), checked per row
                    images.Add(image);
                }
                catch (Exception e) when (e is IOException or InvalidDataException or ImageDecodeException or ArgumentException or UnauthorizedAccessException)
                {
                    throw new BadRowException(i, rows[i].Source, $"image column '{ImageColumn}' cannot be used: {e.Message}", e);
                }
            }
            imageCounts[i] = cells.Count;
        }
        var processed = images.Count > 0 ? _images!.Process(images) : null;
        var texts = rows.Select((row, i) => Render(row, imageCounts[i])).ToArray();
        var grids = processed?.Grids.Select(g => ((long)g.T, (long)g.H, (long)g.W)).ToArray();
        var encoded = _text.Encode(texts, grids, options: new BatchEncodeOptions { Padding = PaddingStrategy.None });
        var ids = encoded.InputIds
            .Select((row, i) => MaxPromptLength is int max ? Truncate(row, max, rows[i]) : row)
            .ToArray();
        var (inputIds, mask) = LeftPad(ids, PadTokenId);
        return new PromptBatch
        {
            Inputs = new QwenVLInputs
            {
                InputIds = inputIds,
                AttentionMask = mask,
                PixelValues = processed?.PixelValuesTensor(),
                ImageGridThw = processed?.ImageGridThwTensor(),
            },
            Lengths = ids.Select(r => r.Length).ToArray(),
            Texts = texts,
            Rows = rows,
            ImageCounts = imageCounts,
        };
    }

    int[] Truncate(int[] row, int max, DatasetRow source)
    {
        try { return ProtectedTruncation.Truncate(row, max, _protectedIds); }
        catch (ArgumentException e) { throw new ArgumentException($"{source.Source}: {e.Message}", e); }
    }

    /// <summary>Left-pads rows into <c>[N, L]</c> int64 ids and a 0/1 mask.</summary>
    public static (torch.Tensor Ids, torch.Tensor Mask) LeftPad(IReadOnlyList<int[]> rows, int padId)
    {
        int width = rows.Count == 0 ? 0 : rows.Max(r => r.Length);
        var ids = new long[rows.Count * width];
        var mask = new long[rows.Count * width];
        for (int i = 0; i < rows.Count; i++)
        {
            int offset = i * width + width - rows[i].Length;
            Array.Fill(ids, padId, i * width, width - rows[i].Length);
            for (int t = 0; t < rows[i].Length; t++) { ids[offset + t] = rows[i][t]; mask[offset + t] = 1; }
        }
        return (torch.tensor(ids, [rows.Count, width], torch.int64), torch.tensor(mask, [rows.Count, width], torch.int64));
    }
}
