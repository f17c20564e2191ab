using System.Text.Json;
using System.Text.Json.Nodes;
using TorchSharp;
using VisionGrpo.Models;
using VisionGrpo.Text;
using VisionGrpo.Vision;

namespace VisionGrpo.Generation;

/// <summary>
/// Builds model inputs for one chat turn as the recipe's <c>generate_with_reasoning</c> does: optional system message,
/// a user message with the images first and then the text, the chat template with the generation prompt, then
/// placeholder expansion and tokenization.
/// </summary>
public static class ChatPrompt
{
    /// <summary>The conversation as HF message JSON (content parts <c>{"type": "image"}</c> / <c>{"type": "text"}</c>).</summary>
    public static JsonElement Messages(string? system, string user, int imageCount)
    {
        var messages = new JsonArray();
        if (!string.IsNullOrEmpty(system))
            messages.Add(new JsonObject { ["role"] = "system", ["content"] = new JsonArray(new JsonObject { ["type"] = "text", ["text"] = system }) });
        var content = new JsonArray();
        for (int i = 0; i < imageCount; i++) content.Add(new JsonObject { ["type"] = "image" });
        content.Add(new JsonObject { ["type"] = "text", ["text"] = user });
        messages.Add(new JsonObject { ["role"] = "user", ["content"] = content });
        return JsonSerializer.SerializeToElement(messages);
    }

    /// <summary>Input ids, mask and pixel values for the turn (a batch of one).</summary>
    public static QwenVLInputs Build(VlTextProcessor text, QwenImageProcessor? imageProcessor, string? system, string user, IReadOnlyList<RgbImage> images)
    {
        if (images.Count > 0 && imageProcessor is null)
            throw new ArgumentException("images were given but the model folder has no preprocessor_config.json.");
        var processed = images.Count > 0 ? imageProcessor!.Process(images) : null;
        string rendered = text.ApplyChatTemplate(Messages(system, user, images.Count), addGenerationPrompt: true);
        var grids = processed?.Grids.Select(g => ((long)g.T, (long)g.H, (long)g.W)).ToArray();
        var encoding = text.Encode([rendered], grids);
        var ids = encoding.ToFlatIds(out int rows, out int columns);
        var mask = encoding.ToFlatMask(out _, out _);
        return new QwenVLInputs
        {
            InputIds = torch.tensor(ids, [rows, columns], torch.int64),
            AttentionMask = torch.tensor(mask, [rows, columns], torch.int64),
            PixelValues = processed?.PixelValuesTensor(),
            ImageGridThw = processed?.ImageGridThwTensor(),
        };
    }
}
