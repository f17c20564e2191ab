using YamlDotNet.Core;
using YamlDotNet.Core.Events;
using YamlDotNet.RepresentationModel;

namespace VisionGrpo.Formats;

/// <summary>
/// Loads YAML (recipes, dataset cards) with a nesting limit. YamlDotNet builds its node tree recursively, so a
/// hostile file 100,000 levels deep would overflow the stack and kill the process; the depth is first counted on
/// the parser's flat event stream, the same limit System.Text.Json applies to JSON by default.
/// </summary>
internal static class YamlText
{
    /// <summary>Deepest nesting of mappings and sequences accepted (System.Text.Json's default for JSON).</summary>
    public const int MaxDepth = 64;

    /// <summary>Parses <paramref name="text"/>.</summary>
    /// <exception cref="YamlException">Invalid YAML, or nested deeper than <see cref="MaxDepth"/> (its position says where).</exception>
    public static YamlStream Load(string text)
    {
        CheckDepth(text);
        var stream = new YamlStream();
        stream.Load(new StringReader(text));
        return stream;
    }

    static void CheckDepth(string text)
    {
        var parser = new Parser(new StringReader(text));
        int depth = 0;
        while (parser.MoveNext())
        {
            switch (parser.Current)
            {
                case MappingStart or SequenceStart:
                    if (++depth > MaxDepth)
                        throw new YamlException(parser.Current.Start, parser.Current.End,
                            $"nested deeper than {MaxDepth} levels.");
                    break;
                case MappingEnd or SequenceEnd:
                    depth--;
                    break;
            }
        }
    }
}
