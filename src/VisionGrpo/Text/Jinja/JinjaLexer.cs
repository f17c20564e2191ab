using System.Globalization;
using System.Text;
using System.Text.RegularExpressions;

namespace VisionGrpo.Text.Jinja;

/// <summary>
/// Splits a template into text and tag tokens with the whitespace rules transformers enables in Jinja2:
/// <c>trim_blocks</c> (the newline after a block or comment tag is dropped), <c>lstrip_blocks</c> (spaces before a
/// block or comment tag at the start of a line are dropped), <c>-</c>/<c>+</c> modifiers, newline normalization
/// and removal of one trailing newline (<c>keep_trailing_newline=False</c>).
/// </summary>
internal sealed partial class JinjaLexer
{
    static readonly string[] Operators =
        ["//", "**", "==", "!=", "<=", ">=", "+", "-", "/", "*", "%", "~", "[", "]", "(", ")", "{", "}", "<", ">", "=", ".", ":", "|", ",", ";"];

    [GeneratedRegex(@"\G\s*raw\s*([-+]?)%}")]
    private static partial Regex RawStart();
    [GeneratedRegex(@"\{%([-+]?)\s*endraw\s*([-+]?)%}")]
    private static partial Regex RawEnd();
    [GeneratedRegex(@"\G(?:\d+_)*\d+(?:(?:\.(?:\d+_)*\d+)?[eE][+\-]?(?:\d+_)*\d+|\.(?:\d+_)*\d+)")]
    private static partial Regex FloatLiteral();
    [GeneratedRegex(@"\G(?:\d+_)*\d+")]
    private static partial Regex IntegerLiteral();

    readonly string src;
    readonly List<int> lineStarts = [0];
    readonly List<JinjaToken> tokens = [];
    int pos;
    bool lineStarting = true;

    JinjaLexer(string source)
    {
        // Jinja2 normalizes \r\n and \r to \n and drops a single trailing newline.
        src = source.Replace("\r\n", "\n").Replace('\r', '\n');
        if (src.EndsWith('\n')) src = src[..^1];
        for (int i = 0; i < src.Length; i++) if (src[i] == '\n') lineStarts.Add(i + 1);
    }

    public static List<JinjaToken> Tokenize(string source)
    {
        var lexer = new JinjaLexer(source);
        lexer.Run();
        return lexer.tokens;
    }

    (int Line, int Column) Locate(int offset)
    {
        int idx = lineStarts.BinarySearch(offset);
        if (idx < 0) idx = ~idx - 1;
        return (idx + 1, offset - lineStarts[idx] + 1);
    }

    JinjaException Error(string message, int offset)
    {
        var (line, col) = Locate(offset);
        return new JinjaException(message, line, col);
    }

    void Emit(TokenKind kind, string value, int offset)
    {
        var (line, col) = Locate(offset);
        tokens.Add(new JinjaToken(kind, value, line, col));
    }

    void Run()
    {
        while (pos < src.Length)
        {
            int tag = FindTagStart(pos);
            if (tag < 0)
            {
                Emit(TokenKind.Text, src[pos..], pos);
                break;
            }
            char kind = src[tag + 1];
            char sign = tag + 2 < src.Length && src[tag + 2] is '-' or '+' ? src[tag + 2] : '\0';
            string text = src[pos..tag];
            if (sign == '-')
                text = text.TrimEnd();
            else if (sign != '+' && kind != '{')
                text = LStripBlock(text);
            if (text.Length > 0) Emit(TokenKind.Text, text, pos);
            lineStarting = false;
            pos = tag + 2 + (sign != '\0' ? 1 : 0);

            if (kind == '#') LexComment(tag);
            else if (kind == '%' && RawStart().Match(src, pos) is { Success: true } raw) LexRaw(raw);
            else LexTag(kind == '{', tag);
        }
        Emit(TokenKind.End, "", src.Length);
    }

    int FindTagStart(int from)
    {
        for (int i = src.IndexOf('{', from); i >= 0 && i + 1 < src.Length; i = src.IndexOf('{', i + 1))
            if (src[i + 1] is '{' or '%' or '#') return i;
        return -1;
    }

    /// <summary>lstrip_blocks: drop spaces between the last line start and a block/comment tag.</summary>
    string LStripBlock(string text)
    {
        int lineStart = text.LastIndexOf('\n') + 1;
        if (lineStart == 0 && !lineStarting) return text;
        for (int i = lineStart; i < text.Length; i++)
            if (!char.IsWhiteSpace(text[i])) return text;
        return text[..lineStart];
    }

    /// <summary>After a tag end: <c>-</c> eats all following whitespace, otherwise trim_blocks eats one newline.</summary>
    void AfterTagEnd(char sign, bool trimBlocks)
    {
        int start = pos;
        if (sign == '-')
            while (pos < src.Length && char.IsWhiteSpace(src[pos])) pos++;
        else if (sign != '+' && trimBlocks && pos < src.Length && src[pos] == '\n')
            pos++;
        lineStarting = pos > start && src[pos - 1] == '\n';
    }

    void LexComment(int tagStart)
    {
        int end = src.IndexOf("#}", pos, StringComparison.Ordinal);
        if (end < 0) throw Error("Unclosed comment '{#': missing '#}'", tagStart);
        char sign = end > pos && src[end - 1] is '-' or '+' ? src[end - 1] : '\0';
        pos = end + 2;
        AfterTagEnd(sign, trimBlocks: true);
    }

    void LexRaw(Match start)
    {
        int bodyStart = start.Index + start.Length;
        var end = RawEnd().Match(src, bodyStart);
        if (!end.Success) throw Error("Unclosed '{% raw %}': missing '{% endraw %}'", start.Index);
        string body = src[bodyStart..end.Index];
        if (start.Groups[1].Value == "-") body = body.TrimStart();
        if (end.Groups[1].Value == "-") body = body.TrimEnd();
        if (body.Length > 0) Emit(TokenKind.Text, body, bodyStart);
        pos = end.Index + end.Length;
        AfterTagEnd(end.Groups[2].Value is [var c] ? c : '\0', trimBlocks: true);
    }

    void LexTag(bool isVariable, int tagStart)
    {
        Emit(isVariable ? TokenKind.VariableBegin : TokenKind.BlockBegin, isVariable ? "{{" : "{%", tagStart);
        string close = isVariable ? "}}" : "%}";
        int depth = 0;
        while (true)
        {
            while (pos < src.Length && char.IsWhiteSpace(src[pos])) pos++;
            if (pos >= src.Length)
                throw Error($"Unclosed '{(isVariable ? "{{" : "{%")}': missing '{close}'", tagStart);
            if (depth == 0)
            {
                char sign = src[pos] is '-' or '+' && string.CompareOrdinal(src, pos + 1, close, 0, 2) == 0 ? src[pos] : '\0';
                if (sign != '\0' || string.CompareOrdinal(src, pos, close, 0, 2) == 0)
                {
                    Emit(isVariable ? TokenKind.VariableEnd : TokenKind.BlockEnd, close, pos);
                    pos += sign != '\0' ? 3 : 2;
                    AfterTagEnd(sign, trimBlocks: !isVariable);
                    return;
                }
            }
            LexExpressionToken(ref depth);
        }
    }

    void LexExpressionToken(ref int depth)
    {
        int start = pos;
        char c = src[pos];
        Match m;
        if (char.IsAsciiDigit(c) && (m = FloatLiteral().Match(src, pos)).Success)
        {
            Emit(TokenKind.Float, m.Value.Replace("_", ""), start);
            pos += m.Length;
        }
        else if (char.IsAsciiDigit(c) && (m = IntegerLiteral().Match(src, pos)).Success)
        {
            Emit(TokenKind.Integer, m.Value.Replace("_", ""), start);
            pos += m.Length;
        }
        else if (char.IsAsciiLetter(c) || c == '_')
        {
            while (pos < src.Length && (char.IsAsciiLetterOrDigit(src[pos]) || src[pos] == '_')) pos++;
            Emit(TokenKind.Name, src[start..pos], start);
        }
        else if (c is '\'' or '"')
        {
            Emit(TokenKind.String, ReadString(c), start);
        }
        else
        {
            string? op = Operators.FirstOrDefault(o => string.CompareOrdinal(src, pos, o, 0, o.Length) == 0);
            if (op is null) throw Error($"Unexpected character '{c}' in tag", start);
            if (op is "(" or "[" or "{") depth++;
            else if (op is ")" or "]" or "}") depth = Math.Max(0, depth - 1);
            Emit(TokenKind.Operator, op, start);
            pos += op.Length;
        }
    }

    /// <summary>A quoted literal with Python escape sequences (Jinja2 decodes them with unicode-escape).</summary>
    string ReadString(char quote)
    {
        int start = pos++;
        var sb = new StringBuilder();
        while (true)
        {
            if (pos >= src.Length) throw Error("Unterminated string literal", start);
            char c = src[pos++];
            if (c == quote) return sb.ToString();
            if (c != '\\') { sb.Append(c); continue; }
            if (pos >= src.Length) throw Error("Unterminated string literal", start);
            char e = src[pos++];
            switch (e)
            {
                case 'n': sb.Append('\n'); break;
                case 't': sb.Append('\t'); break;
                case 'r': sb.Append('\r'); break;
                case 'b': sb.Append('\b'); break;
                case 'f': sb.Append('\f'); break;
                case 'v': sb.Append('\v'); break;
                case 'a': sb.Append('\a'); break;
                case '\\': case '\'': case '"': sb.Append(e); break;
                case '\n': break;
                case 'x': sb.Append((char)Hex(2, start)); break;
                case 'u': sb.Append((char)Hex(4, start)); break;
                case 'U': sb.Append(char.ConvertFromUtf32(Hex(8, start))); break;
                case >= '0' and <= '7':
                    int value = e - '0';
                    for (int k = 0; k < 2 && pos < src.Length && src[pos] is >= '0' and <= '7'; k++) value = value * 8 + (src[pos++] - '0');
                    sb.Append((char)value);
                    break;
                default: sb.Append('\\').Append(e); break;
            }
        }
    }

    int Hex(int digits, int stringStart)
    {
        if (pos + digits > src.Length || !int.TryParse(src.AsSpan(pos, digits), NumberStyles.AllowHexSpecifier, CultureInfo.InvariantCulture, out int v))
            throw Error($"Invalid \\x/\\u escape in string literal", stringStart);
        pos += digits;
        return v;
    }
}
