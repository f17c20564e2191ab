using System.Collections.Concurrent;
using System.Text;
using System.Text.RegularExpressions;
using Microsoft.ML.Tokenizers;

namespace VisionGrpo.Text;

/// <summary>
/// A Hugging Face byte-level BPE tokenizer (Qwen2 / Qwen2.5 / Qwen2.5-VL, GPT-2 style) loaded from a model folder.
/// Added tokens are matched verbatim first; the text between them is normalized (NFC for Qwen), split with the
/// pre-tokenizer regex and encoded by Microsoft.ML.Tokenizers' byte-level BPE. No BOS/EOS is added, as Qwen's
/// post-processor adds nothing. Thread-safe.
/// </summary>
public sealed class HfTokenizer
{
    /// <summary>Pieces longer than this are not cached (they are rare and would bloat the cache).</summary>
    const int MaxCachedPieceLength = 48;
    /// <summary>The cache is cleared when it reaches this many pieces, bounding memory on huge corpora.</summary>
    const int MaxCacheEntries = 500_000;

    readonly BpeTokenizer bpe;
    readonly Regex split;
    readonly ConcurrentDictionary<string, int[]> pieceCache = new(StringComparer.Ordinal);
    readonly ConcurrentDictionary<string, int[]>.AlternateLookup<ReadOnlySpan<char>> pieceLookup;
    readonly AddedTokenSplitter splitter;
    readonly Dictionary<int, AddedToken> addedById;
    readonly Dictionary<string, int> vocab;
    readonly string[] idToToken;
    readonly NormalizationForm[] normalizations;
    readonly bool lowercase;

    /// <summary>The settings from <c>tokenizer_config.json</c> / <c>special_tokens_map.json</c>.</summary>
    public TokenizerConfig Config { get; }
    /// <summary>Added tokens (special or not), in id order.</summary>
    public IReadOnlyList<AddedToken> AddedTokens { get; }
    /// <summary>Number of ids: the BPE vocabulary plus the added tokens.</summary>
    public int VocabSize => idToToken.Length;
    /// <summary>Id of the end-of-sequence token (Qwen2.5-VL: 151645), or null.</summary>
    public int? EosTokenId => IdOrNull(Config.EosToken);
    /// <summary>Id of the padding token (Qwen2.5-VL: 151643), or null.</summary>
    public int? PadTokenId => IdOrNull(Config.PadToken);
    /// <summary>Id of the beginning-of-sequence token; null for Qwen.</summary>
    public int? BosTokenId => IdOrNull(Config.BosToken);

    HfTokenizer(TokenizerJson spec, TokenizerConfig config)
    {
        Config = config;
        vocab = spec.Vocab;
        // added_tokens_decoder may declare tokens that tokenizer.json lacks; tokenizer.json wins on conflicts.
        var added = new Dictionary<int, AddedToken>();
        foreach (var t in config.AddedTokensDecoder) added[t.Id] = t;
        foreach (var t in spec.AddedTokens) added[t.Id] = t;
        addedById = added;
        AddedTokens = added.Values.OrderBy(t => t.Id).ToList();
        splitter = new AddedTokenSplitter(AddedTokens);
        normalizations = spec.Normalizations;
        lowercase = spec.Lowercase;

        int size = Math.Max(vocab.Count == 0 ? 0 : vocab.Values.Max() + 1, added.Count == 0 ? 0 : added.Keys.Max() + 1);
        idToToken = new string[size];
        foreach (var (token, id) in vocab) idToToken[id] = token;
        foreach (var t in AddedTokens) idToToken[t.Id] = t.Content;

        // Microsoft.ML.Tokenizers does the byte-level BPE of one pre-token; the split and a per-piece cache (looked
        // up by span, so a hit allocates nothing) are done here because that is where most of the time goes.
        bpe = BpeTokenizer.Create(new BpeOptions(vocab) { Merges = spec.Merges, ByteLevel = true });
        split = new Regex(spec.SplitPattern, RegexOptions.Compiled | RegexOptions.CultureInvariant);
        pieceLookup = pieceCache.GetAlternateLookup<ReadOnlySpan<char>>();
    }

    /// <summary>
    /// Loads the tokenizer of a model folder: <c>tokenizer.json</c> plus the optional <c>tokenizer_config.json</c>
    /// and <c>special_tokens_map.json</c>.
    /// </summary>
    /// <exception cref="FileNotFoundException">The folder has no <c>tokenizer.json</c>; the message lists what was looked for.</exception>
    public static HfTokenizer FromDirectory(string modelDir)
    {
        if (!Directory.Exists(modelDir))
            throw new DirectoryNotFoundException($"Model folder '{modelDir}' does not exist.");
        string json = Path.Combine(modelDir, "tokenizer.json");
        if (!File.Exists(json))
        {
            var present = Directory.EnumerateFiles(modelDir).Select(Path.GetFileName).Order().Take(10);
            throw new FileNotFoundException(
                $"No usable tokenizer in '{modelDir}': looked for tokenizer.json (with optional tokenizer_config.json and " +
                $"special_tokens_map.json); vocab.json + merges.txt alone are not supported. Files present: {string.Join(", ", present)}", json);
        }
        return FromFiles(json, Path.Combine(modelDir, "tokenizer_config.json"), Path.Combine(modelDir, "special_tokens_map.json"));
    }

    /// <summary>Loads from explicit files; the two config paths may be null or point to missing files.</summary>
    public static HfTokenizer FromFiles(string tokenizerJsonPath, string? tokenizerConfigPath = null, string? specialTokensMapPath = null) =>
        new(TokenizerJson.Load(tokenizerJsonPath), TokenizerConfig.Load(tokenizerConfigPath, specialTokensMapPath));

    /// <summary>Token ids of <paramref name="text"/> (no special tokens added, no truncation).</summary>
    public int[] Encode(string text)
    {
        ArgumentNullException.ThrowIfNull(text);
        var ids = new List<int>(text.Length / 3 + 4);
        foreach (var seg in splitter.Split(text))
        {
            if (seg.Token is not null) { ids.Add(seg.Token.Id); continue; }
            EncodePlain(Normalize(text.Substring(seg.Start, seg.Length)), ids);
        }
        return ids.ToArray();
    }

    void EncodePlain(string plain, List<int> ids)
    {
        foreach (var (start, length) in PieceRanges(plain)) EncodePiece(plain.AsSpan(start, length), ids);
    }

    /// <summary>
    /// Split with the pre-tokenizer regex ("Isolated": matches and the gaps between them are pieces). The reference
    /// regex engine works on code points, .NET's on UTF-16 units, so text with surrogate pairs is matched on a proxy
    /// string holding one stand-in character of the same class per code point, and mapped back.
    /// </summary>
    internal List<(int Start, int Length)> PieceRanges(string plain)
    {
        var ranges = new List<(int, int)>();
        int[]? offsets = null;
        string subject = plain;
        if (plain.AsSpan().IndexOfAnyInRange('\uD800', '\uDFFF') >= 0) (subject, offsets) = CodePointProxy(plain);
        int Map(int i) => offsets is null ? i : offsets[i];
        int pos = 0;
        foreach (var m in split.EnumerateMatches(subject))
        {
            if (m.Index > pos) ranges.Add((Map(pos), Map(m.Index) - Map(pos)));
            if (m.Length > 0) ranges.Add((Map(m.Index), Map(m.Index + m.Length) - Map(m.Index)));
            pos = m.Index + m.Length;
        }
        if (pos < subject.Length) ranges.Add((Map(pos), plain.Length - Map(pos)));
        return ranges;
    }

    /// <summary>One BMP character per code point: astral letters become U+00AA (a letter), astral digits/numbers
    /// U+00B2 (a number), anything else U+00A4 (a symbol), which is all the split regex distinguishes.</summary>
    static (string Proxy, int[] Offsets) CodePointProxy(string s)
    {
        var proxy = new StringBuilder(s.Length);
        var offsets = new List<int>(s.Length + 1);
        for (int i = 0; i < s.Length; i++)
        {
            offsets.Add(i);
            if (char.IsHighSurrogate(s[i]) && i + 1 < s.Length && char.IsLowSurrogate(s[i + 1]))
            {
                var category = char.GetUnicodeCategory(s, i);
                proxy.Append(category switch
                {
                    >= System.Globalization.UnicodeCategory.UppercaseLetter and <= System.Globalization.UnicodeCategory.OtherLetter => '\u00AA',
                    >= System.Globalization.UnicodeCategory.DecimalDigitNumber and <= System.Globalization.UnicodeCategory.OtherNumber => '\u00B2',
                    _ => '\u00A4',
                });
                i++;
            }
            else proxy.Append(s[i]);
        }
        offsets.Add(s.Length);
        return (proxy.ToString(), offsets.ToArray());
    }

    void EncodePiece(ReadOnlySpan<char> piece, List<int> ids)
    {
        if (pieceLookup.TryGetValue(piece, out var cached))
        {
            ids.AddRange(cached);
            return;
        }
        string text = piece.ToString();
        int[] pieceIds = [.. bpe.EncodeToIds(text, considerPreTokenization: false, considerNormalization: false)];
        if (text.Length <= MaxCachedPieceLength)
        {
            if (pieceCache.Count >= MaxCacheEntries) pieceCache.Clear();
            pieceCache.TryAdd(text, pieceIds);
        }
        ids.AddRange(pieceIds);
    }

    /// <summary>The token strings of <paramref name="text"/>, byte-level form (<c>Ġ</c> = space) for BPE tokens.</summary>
    public string[] Tokenize(string text) => Encode(text).Select(IdToToken).ToArray();

    /// <summary>Text of <paramref name="ids"/>; with <paramref name="skipSpecialTokens"/> the special added tokens
    /// (not <c>&lt;tool_call&gt;</c> and other non-special ones) are dropped.</summary>
    /// <remarks>
    /// Ids the tokenizer does not know (a model's padded vocabulary rows, e.g. 151,665–151,935 for Qwen2.5-VL, which
    /// an untrained model can sample) are dropped, as HF tokenizers' decode does.
    /// </remarks>
    /// <exception cref="ArgumentOutOfRangeException">An id is negative.</exception>
    public string Decode(IEnumerable<int> ids, bool skipSpecialTokens = false)
    {
        ArgumentNullException.ThrowIfNull(ids);
        var tokens = new List<string>();
        foreach (int id in ids)
        {
            if (id < 0) throw new ArgumentOutOfRangeException(nameof(ids), id, "token ids cannot be negative.");
            if (skipSpecialTokens && addedById.TryGetValue(id, out var added) && added.Special) continue;
            if (id < idToToken.Length && idToToken[id] is { } token) tokens.Add(token);
        }
        string text = ByteLevelDecoder.Decode(tokens);
        return Config.CleanUpTokenizationSpaces ? CleanUpTokenizationSpaces(text) : text;
    }

    /// <summary>Encodes several texts with truncation, padding and attention masks (HF <c>tokenizer(texts, ...)</c>).</summary>
    public BatchEncoding EncodeBatch(IReadOnlyList<string> texts, BatchEncodeOptions? options = null)
    {
        ArgumentNullException.ThrowIfNull(texts);
        options ??= new BatchEncodeOptions();
        var rows = new int[texts.Count][];
        if (options.Parallel && texts.Count > 1)
            System.Threading.Tasks.Parallel.For(0, texts.Count, i => rows[i] = Encode(texts[i]));
        else
            for (int i = 0; i < texts.Count; i++) rows[i] = Encode(texts[i]);
        return BatchPadder.Pad(rows, options, Config, PadTokenId);
    }

    /// <summary>Id of a token string (BPE form or added-token content), or null when unknown.</summary>
    public int? TokenToId(string token)
    {
        foreach (var t in AddedTokens) if (t.Content == token) return t.Id;
        return vocab.TryGetValue(token, out int id) ? id : null;
    }

    /// <summary>The token string of an id.</summary>
    /// <exception cref="ArgumentOutOfRangeException">The id is outside the vocabulary.</exception>
    public string IdToToken(int id) =>
        (uint)id < (uint)idToToken.Length && idToToken[id] is { } token
            ? token
            : throw new ArgumentOutOfRangeException(nameof(id), id, $"Token id {id} is not in the vocabulary (size {idToToken.Length}).");

    /// <summary>Whether <paramref name="id"/> is a special added token (dropped by skip-special decoding).</summary>
    public bool IsSpecial(int id) => addedById.TryGetValue(id, out var t) && t.Special;

    int? IdOrNull(string? token) => token is null ? null : TokenToId(token);

    string Normalize(string s)
    {
        // Like the Rust tokenizer (which takes UTF-8 &str), unpaired surrogates are refused rather than guessed at.
        if (IndexOfUnpairedSurrogate(s) is var bad and >= 0)
            throw new ArgumentException($"The text contains an unpaired UTF-16 surrogate (U+{(int)s[bad]:X4}) at index {bad}; it cannot be encoded as UTF-8.", "text");
        foreach (var form in normalizations) s = s.Normalize(form);
        return lowercase ? s.ToLowerInvariant() : s;
    }

    static int IndexOfUnpairedSurrogate(string s)
    {
        for (int i = 0; i < s.Length; i++)
        {
            if (!char.IsSurrogate(s[i])) continue;
            if (char.IsHighSurrogate(s[i]) && i + 1 < s.Length && char.IsLowSurrogate(s[i + 1])) { i++; continue; }
            return i;
        }
        return -1;
    }

    /// <summary>transformers' <c>clean_up_tokenization</c>: drop the space before punctuation and English contractions.</summary>
    static string CleanUpTokenizationSpaces(string s) =>
        s.Replace(" .", ".").Replace(" ?", "?").Replace(" !", "!").Replace(" ,", ",").Replace(" ' ", "'")
         .Replace(" n't", "n't").Replace(" 'm", "'m").Replace(" 's", "'s").Replace(" 've", "'ve").Replace(" 're", "'re");
}
