using VisionGrpo.MathVerify.Algebra;

namespace VisionGrpo.MathVerify.Latex;

/// <summary>
/// Recursive-descent port of the reference grammar (PS.g4) and its converter (latex2sympy). Ambiguities that
/// ANTLR resolves by adaptive prediction are resolved here by ordered alternatives with backtracking and a
/// follow-token check. Nesting deeper than <see cref="MaxDepth"/> is refused (no stack overflow on hostile input).
/// </summary>
internal sealed partial class LatexParser
{
    public const int MaxDepth = 120;

    readonly List<Token> _toks;
    readonly string _source;
    int _pos;
    int _depth;
    int _absDepth;
    bool _inLimit;
    readonly HashSet<int> _barsPreferOpen;
    readonly List<int> _ambiguousBars = [];
    /// <summary>Nodes that the reference would hold as atomic sympy Numbers (literals, evaluated rationals).</summary>
    readonly HashSet<Expr> _atomic = new(ReferenceEqualityComparer.Instance);

    LatexParser(string source, List<Token> toks, HashSet<int> barsPreferOpen)
    {
        _source = source;
        _toks = toks;
        _barsPreferOpen = barsPreferOpen;
    }

    /// <summary>Converts normalized LaTeX to a value; throws <see cref="LatexParseException"/> when it cannot.</summary>
    public static Expr Parse(string latex)
    {
        var toks = LatexLexer.Lex(latex);
        var flips = new HashSet<int>();
        var p = new LatexParser(latex, toks, flips);
        try { return p.ParseMath(); }
        catch (LatexParseException) when (p._ambiguousBars.Count > 0)
        {
            // Retry with one `|` at a time read as an opening bar instead of a closing one.
            foreach (var bar in p._ambiguousBars.Distinct().Take(16))
            {
                var q = new LatexParser(latex, toks, [bar]);
                try { return q.ParseMath(); } catch (LatexParseException) { }
            }
            throw;
        }
    }

    Token Cur => _toks[_pos];
    T Kind => _toks[_pos].Kind;
    T Peek(int k) => _toks[Math.Min(_pos + k, _toks.Count - 1)].Kind;
    Token Next() => _toks[_pos++];

    Token Expect(T kind)
    {
        if (Kind != kind) throw Error($"expected {kind}");
        return Next();
    }

    bool Accept(T kind)
    {
        if (Kind != kind) return false;
        _pos++;
        return true;
    }

    LatexParseException Error(string what) => new($"{what} at '{(Cur.Kind == T.Eof ? "end" : Cur.Text)}' (offset {Cur.Start})");

    void Enter()
    {
        ComputeGuard.Check();
        if (++_depth > MaxDepth) throw new LatexParseException("expression nested too deeply");
    }

    void Leave() => _depth--;

    /// <summary>Runs an alternative; on failure restores the position and returns null.</summary>
    TR? Try<TR>(Func<TR> alt) where TR : class
    {
        int save = _pos, depth = _depth, abs = _absDepth;
        try { return alt(); }
        catch (LatexParseException) { _pos = save; _depth = depth; _absDepth = abs; return null; }
    }

    static bool IsFollow(T k) => k is T.Comma or T.Semicolon or T.Eof or T.RParen or T.RBracket or T.RBrace or T.RBraceVisual
        or T.RParenVisual or T.RBrack or T.RGroup;

    Expr Atomic(Expr e) { _atomic.Add(e); return e; }
    bool IsAtomicInteger(Expr e) => _atomic.Contains(e) && e is Num n && n.Value.IsInteger;
    bool IsAtomicRational(Expr e) => _atomic.Contains(e) && e is Num;

    /// <summary>Concatenated token texts between two token indexes (ANTLR getText: no skipped whitespace).</summary>
    string TextOf(int from, int to) => string.Concat(_toks.Skip(from).Take(to - from).Select(t => t.Text));
}
