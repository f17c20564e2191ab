using TorchSharp;
using VisionGrpo.Data;
using VisionGrpo.Models;
using VisionGrpo.Text;
using VisionGrpo.Training.Inputs;
using static TorchSharp.torch;

namespace VisionGrpo.Training.Sft;

/// <summary>
/// Builds SFT batches from dataset rows: the prompt exactly as the GRPO trainer builds it (<see cref="PromptBuilder"/>:
/// system prompt, image, problem, chat template with the generation prompt, left padding) and the completion taken
/// from a column, tokenized on its own and closed with the tokenizer's EOS (<c>&lt;|im_end|&gt;</c>), right-padded.
/// </summary>
public sealed class SftCollator
{
    readonly PromptBuilder _prompts;
    readonly HfTokenizer _tokenizer;
    readonly int _eos;

    /// <summary>Creates a collator.</summary>
    /// <param name="prompts">The GRPO prompt builder of the model and recipe.</param>
    /// <param name="tokenizer">The model's tokenizer (completions and EOS).</param>
    /// <param name="completionColumn">Column with the target completion.</param>
    /// <exception cref="ArgumentException">The tokenizer has no EOS token.</exception>
    public SftCollator(PromptBuilder prompts, HfTokenizer tokenizer, string completionColumn)
    {
        _prompts = prompts ?? throw new ArgumentNullException(nameof(prompts));
        _tokenizer = tokenizer ?? throw new ArgumentNullException(nameof(tokenizer));
        CompletionColumn = completionColumn;
        _eos = tokenizer.EosTokenId ?? throw new ArgumentException("the tokenizer has no EOS token to end SFT completions with.", nameof(tokenizer));
    }

    /// <summary>Column with the target completion.</summary>
    public string CompletionColumn { get; }

    /// <summary>The completion token ids of one row: the column's text, then EOS.</summary>
    /// <exception cref="InvalidDataException">The column is missing or null in the row (the row is named).</exception>
    public int[] CompletionIds(DatasetRow row)
    {
        string text = (row.ContainsKey(CompletionColumn) ? row.GetString(CompletionColumn) : null)
            ?? throw new InvalidDataException($"{row.Source}: completion column '{CompletionColumn}' is missing or null (set completion_column).");
        return [.. _tokenizer.Encode(text), _eos];
    }

    /// <summary>Builds the batch for <paramref name="rows"/>.</summary>
    public SftBatch Build(IReadOnlyList<DatasetRow> rows)
    {
        if (rows.Count == 0) throw new ArgumentException("an SFT batch needs at least one row.", nameof(rows));
        using var scope = torch.NewDisposeScope();
        var completions = rows.Select(CompletionIds).ToArray();
        using var prompt = _prompts.Build(rows);
        var (ids, mask) = RightPad(completions, _prompts.PadTokenId);
        var inputIds = torch.cat([prompt.Inputs.InputIds, ids], 1);
        var attention = torch.cat([prompt.Inputs.AttentionMask!, mask], 1);
        long completionTokens = completions.Sum(c => (long)c.Length);
        var batch = new SftBatch
        {
            Inputs = new QwenVLInputs
            {
                InputIds = inputIds.MoveToOuterDisposeScope(),
                AttentionMask = attention.MoveToOuterDisposeScope(),
                PixelValues = prompt.Inputs.PixelValues?.clone().MoveToOuterDisposeScope(),
                ImageGridThw = prompt.Inputs.ImageGridThw?.clone().MoveToOuterDisposeScope(),
            },
            CompletionIds = ids.MoveToOuterDisposeScope(),
            CompletionMask = mask.to(ScalarType.Float32).MoveToOuterDisposeScope(),
            CompletionTokens = completionTokens,
            InputTokens = prompt.Lengths.Sum(l => (long)l) + completionTokens,
        };
        return batch;
    }

    /// <summary>Right-pads rows into <c>[N, C]</c> int64 ids and a 0/1 int64 mask.</summary>
    internal static (Tensor Ids, Tensor Mask) RightPad(IReadOnlyList<int[]> rows, int padId)
    {
        int width = rows.Count == 0 ? 0 : rows.Max(r => r.Length);
        var ids = new long[rows.Count * width];
        var mask = new long[rows.Count * width];
        Array.Fill(ids, padId);
        for (int i = 0; i < rows.Count; i++)
            for (int t = 0; t < rows[i].Length; t++) { ids[i * width + t] = rows[i][t]; mask[i * width + t] = 1; }
        return (torch.tensor(ids, [rows.Count, width], ScalarType.Int64), torch.tensor(mask, [rows.Count, width], ScalarType.Int64));
    }
}
