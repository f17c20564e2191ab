using System.Text.RegularExpressions;

namespace VisionGrpo.MathVerify.Latex;

/// <summary>
/// Lexer with the reference grammar's rules: the longest match wins, ties go to the earlier rule; unknown input is
/// an error (as the ANTLR lexer's error listener raises).
/// </summary>
internal static class LatexLexer
{
    static readonly Dictionary<string, T?> Literals = BuildLiterals();
    /// <summary>Literals grouped by first character, longest first (the first that matches is the longest match).</summary>
    static readonly Dictionary<char, (string text, T? kind)[]> ByFirstChar = Literals
        .GroupBy(kv => kv.Key[0])
        .ToDictionary(g => g.Key, g => g.OrderByDescending(kv => kv.Key.Length).Select(kv => (kv.Key, kv.Value)).ToArray());

    static readonly Regex ENotationRe = new(@"\G(?:[0-9]+|[0-9]*\.[0-9]+)E[-+]?[0-9]+", RegexOptions.CultureInvariant);
    static readonly Regex PercentNumberRe = new(@"\G(?:[0-9]+|[0-9]*\.[0-9]+)[ \t\r\n]?(?:\\%|%)", RegexOptions.CultureInvariant);
    static readonly Regex DifferentialRe = new(@"\Gd[ \t\r\n]*?(?:[a-zA-Z]|\\[a-zA-Z]+)", RegexOptions.CultureInvariant);
    static readonly Regex AccentRe = new(@"\G\\(?:acute|bar|overline|breve|check|widecheck|dot|ddot|grave|hat|tilde|widetilde|vec|overrightarrow|bm|boldsymbol|text|textit|textbf|textnormal|mathbb|mathbin|mathbf|mathcal|mathclap|mathclose|mathellipsis|mathfrak|mathinner|mathit|mathnormal|mathop|mathopen|mathord|mathpunct|mathrel|mathring|mathrlap|mathrm|mathscr|mathsf|mathsterling|mathtt|mbox)[ \t\r\n]?\{(?:\\\}|[^}])*?\}", RegexOptions.CultureInvariant);
    /// <summary>The grammar's Greek <c>\char</c> codes (its epsilon is 000190, not 0003B5).</summary>
    const string CharGreek = @"\\char""?(?:000391|000392|000190|000396|000397|000399|00039A|00039C|00039D|00039F|0003A1|0003A4|0003A7)";
    static readonly Regex VariableRe = BuildVariableRe();
    static readonly Regex MatrixRe = new(@"\G\\(begin|end)\{(matrix|pmatrix|bmatrix|vmatrix)\}", RegexOptions.CultureInvariant);
    static readonly Regex ArrayStartRe = new(@"\G\\begin\{array\}\{[clr]*\}", RegexOptions.CultureInvariant);
    static readonly Regex CharGreekRe = new(@"\G" + CharGreek, RegexOptions.CultureInvariant);

    /// <summary>
    /// <c>VARIABLE</c>: <c>\variable{name}</c> where the name is made of Greek letters, other symbol commands, letters
    /// and digits, with an optional one-item or braced subscript; any other command (<c>\variable{\sin xy}</c>) is
    /// not a variable, so the input fails to lex as in the reference.
    /// </summary>
    static Regex BuildVariableRe()
    {
        var commands = Literals.Where(kv => kv.Value is T.Greek or T.OtherSymbol).Select(kv => kv.Key)
            .OrderByDescending(c => c.Length).Select(Regex.Escape).Append(CharGreek);
        string symbol = $"(?:(?:{string.Join("|", commands)}) ?|[a-zA-Z0-9])";
        string subItem = $"(?:(?:{string.Join("|", commands)}) ?|[a-zA-Z0-9,])";
        return new Regex($@"\G\\variable\{{{symbol}+(?:_(?:\{{{subItem}+\}}|{symbol}))?\}}(?:\\%|%)?", RegexOptions.CultureInvariant);
    }

    public static List<Token> Lex(string s)
    {
        var tokens = new List<Token>();
        int i = 0;
        while (i < s.Length)
        {
            Algebra.ComputeGuard.Check();
            char c = s[i];
            if (c is ' ' or '\t' or '\r' or '\n') { i++; continue; }
            int bestLen = 0; T? bestKind = null; bool bestSkip = false;
            void Consider(int len, T? kind, bool skip = false)
            {
                if (len > bestLen) { bestLen = len; bestKind = kind; bestSkip = skip; }
            }
            if (ByFirstChar.TryGetValue(c, out var candidates))
            {
                var rest = s.AsSpan(i);
                foreach (var (text, k) in candidates)
                    if (rest.StartsWith(text, StringComparison.Ordinal)) { Consider(text.Length, k, k == null); break; }
            }
            if (char.IsAsciiDigit(c) || c == '.')
            {
                int numLen = NumberLength(s, i);
                if (numLen > 0)
                {
                    Consider(numLen, T.Number);
                    int after = i + numLen;
                    // E-notation and percent numbers only when the next character can continue them.
                    if (after < s.Length && s[after] == 'E') TryRe(ENotationRe, T.ENotation);
                    if (after < s.Length && s[after] is '%' or '\\' or ' ' or '\t' or '\r' or '\n') TryRe(PercentNumberRe, T.PercentNumber);
                }
            }
            if (c == 'd') TryRe(DifferentialRe, T.Differential);
            if (c == '\\')
            {
                TryRe(AccentRe, T.Accent); TryRe(VariableRe, T.Variable); TryRe(ArrayStartRe, T.ArrayStart); TryRe(CharGreekRe, T.Greek);
                var mm = MatrixRe.Match(s, i);
                if (mm.Success)
                    Consider(mm.Length, mm.Groups[2].Value == "vmatrix" ? (mm.Groups[1].Value == "begin" ? T.DetStart : T.DetEnd) : (mm.Groups[1].Value == "begin" ? T.MatrixStart : T.MatrixEnd));
                if (s.AsSpan(i).StartsWith(@"\end{array}")) Consider(11, T.ArrayEnd);
            }
            if (bestLen == 0) throw new LatexParseException($"unexpected character '{c}' at {i}");
            // GREEK_CMD / OTHER_SYMBOL_CMD swallow one trailing space.
            if (bestKind is T.Greek or T.OtherSymbol && i + bestLen < s.Length && s[i + bestLen] == ' ') bestLen++;
            if (!bestSkip) tokens.Add(new Token(bestKind!.Value, s.Substring(i, bestLen), i));
            i += bestLen;

            void TryRe(Regex re, T kind)
            {
                var m = re.Match(s, i);
                if (m.Success) Consider(m.Length, kind);
            }
        }
        tokens.Add(new Token(T.Eof, "", s.Length));
        return tokens;
    }

    /// <summary>Length of NUMBER at i: <c>DIGIT+ | DIGIT* '.' DIGIT+</c> (longest).</summary>
    static int NumberLength(string s, int i)
    {
        int j = i;
        while (j < s.Length && char.IsAsciiDigit(s[j])) j++;
        if (j < s.Length - 1 && s[j] == '.' && char.IsAsciiDigit(s[j + 1]))
        {
            j++;
            while (j < s.Length && char.IsAsciiDigit(s[j])) j++;
        }
        return j - i;
    }

    static Dictionary<string, T?> BuildLiterals()
    {
        var d = new Dictionary<string, T?>(StringComparer.Ordinal);
        void Add(T? kind, params string[] texts) { foreach (var t in texts) d.TryAdd(t, kind); }
        // Implicit literal tokens of parser rules come first in the reference grammar.
        Add(T.Transpose, "^T", "^{T}", @"^{\top}", "'");
        Add(T.Degree, @"^\circ", @"^\degree", @"^\circle", "^°", @"^{\circ}", @"^{\degree}", @"^{\circle}", "^{°}");
        Add(null, @"\,", @"\thinspace", @"\:", @"\medspace", @"\;", @"\thickspace", @"\quad", @"\qquad", @"\!", @"\negthinspace",
            @"\negmedspace", @"\negthickspace", @"\$", @"\vrule", @"\vcenter", @"\vbox", @"\vskip", @"\vspace", @"\hfil");
        Add(T.Add, "+", "∔", "⊕", "⊞");
        Add(T.Sub, "-", "−", "∸");
        Add(T.Mul, "*", "×", "⋅", "⋄", "⊡", "∗", "⋆", "∘", "∙", "⊗", "⊠", "⋈", "⋉", "⋊");
        Add(T.Div, "/", "÷", "∕", @"\over");
        Add(T.LParen, "("); Add(T.RParen, ")"); Add(T.LParenVisual, @"\("); Add(T.RParenVisual, @"\)");
        Add(T.LGroup, @"\lgroup"); Add(T.RGroup, @"\rgroup"); Add(T.LBrace, "{"); Add(T.RBrace, "}");
        Add(T.SetEmpty, @"\{\}", @"\lbrace\rbrace", @"\emptyset", "∅");
        Add(T.LBraceVisual, @"\{"); Add(T.RBraceVisual, @"\}"); Add(T.LBraceCmd, @"\lbrace"); Add(T.RBraceCmd, @"\rbrace");
        Add(T.LBracket, "["); Add(T.RBracket, "]"); Add(T.LBrack, @"\lbrack"); Add(T.RBrack, @"\rbrack");
        Add(T.Phantom, @"\phantom"); Add(T.Boxed, @"\boxed"); Add(T.Bar, "|"); Add(T.LVert, @"\lvert"); Add(T.RVert, @"\rvert");
        Add(T.Vert, @"\vert"); Add(T.Norm, @"\|"); Add(T.LAngle, @"\langle"); Add(T.RAngle, @"\rangle");
        Add(T.LFloor, @"\lfloor"); Add(T.RFloor, @"\rfloor"); Add(T.LLCorner, @"\llcorner"); Add(T.LRCorner, @"\lrcorner");
        Add(T.LCeil, @"\lceil"); Add(T.RCeil, @"\rceil"); Add(T.ULCorner, @"\ulcorner"); Add(T.URCorner, @"\urcorner");
        Add(T.Lim, @"\lim"); Add(T.LimApproach, @"\to", @"\rightarrow", @"\Rightarrow", @"\longrightarrow", @"\Longrightarrow");
        Add(T.Int, @"\int"); Add(T.Sum, @"\sum"); Add(T.Prod, @"\prod");
        Add(T.FuncSingle, @"\log", @"\ln", @"\exp", @"\sin", @"\cos", @"\tan", @"\csc", @"\sec", @"\cot", @"\arcsin", @"\arccos",
            @"\arctan", @"\arccsc", @"\arcsec", @"\arccot", @"\sinh", @"\cosh", @"\tanh", @"\arsinh", @"\arcosh", @"\artanh",
            @"\arcsinh", @"\arccosh", @"\arctanh", @"\floor", @"\ceil", @"\det");
        Add(T.OpName, "arsinh", "arcsinh", "arcosh", "arccosh", "artanh", "arctanh", "gcd", "lcm", "floor", "ceil", "eye", "zeros",
            "ones", "cols", "rows", "diag", "norm", "rank", "trace", "tr", "rref", "hstack", "vstack", "orth", "ortho", "orthogonal",
            "orthogonalize", "nullspace", "eig", "eigen", "diagonalize", "eigenvals", "eigenvalues", "eigenvects", "eigenvectors",
            "svd", "SVD", "matrix", "pmatrix", "bmatrix", "vmatrix");
        Add(T.Sqrt, @"\sqrt"); Add(T.FuncMulti, @"\gcd", @"\lcm", @"\max", @"\min");
        Add(T.Times, @"\times"); Add(T.Cdot, @"\cdot"); Add(T.CmdDiv, @"\div");
        Add(T.Frac, @"\frac", @"\dfrac", @"\tfrac", @"\cfrac"); Add(T.Binom, @"\binom", @"\tbinom", @"\dbinom");
        Add(T.Choose, @"\choose"); Add(T.Mod, @"\mod"); Add(T.OperatorName, @"\operatorname");
        Add(T.ColSep, "&"); Add(T.RowSep, @"\\"); Add(T.Underscore, "_"); Add(T.Caret, "^"); Add(T.Colon, ":");
        Add(T.Semicolon, ";"); Add(T.Comma, ","); Add(T.Period, ".");
        Add(T.ExpE, "e", @"\exponentialE"); Add(T.ENotationE, "E");
        foreach (char ch in "abcdfghijklmnopqrstuvwxyzABCDFGHIJKLMNOPQRSTUVWXYZ") Add(T.Letter, ch.ToString());
        Add(T.In, @"\in"); Add(T.NotIn, @"\notin", "∉");
        Add(T.Assign, "=", "≡", "≣", "≟", "≎", "≏", "≐", "≑", "≒", "≓", "≔", "≕", "≖", "≗");
        Add(T.Equal, "==", @"\equiv"); Add(T.Approx, "~=", "≈", "≊", "≋", "≃", "≅", @"\approx");
        Add(T.Lt, "<", "≪", "≺", "⋖", @"\lt"); Add(T.Lte, @"\leq", @"\le", @"\leqslant", "≤", "≦", "≲", "≾", "<=");
        Add(T.Gt, ">", "≫", "≻", "⋗", @"\gt"); Add(T.Gte, @"\geq", @"\ge", @"\geqslant", "≥", "≧", "≳", "≿", ">=");
        Add(T.Unequal, "!=", "!==", @"\ne", @"\neq", @"\not\equiv", "≠", "≁", "≄", "≇", "≉", "≢");
        Add(T.Bang, "!");
        foreach (var g in GreekNames.Commands) Add(T.Greek, g);
        Add(T.OtherSymbol, @"\Bbbk", @"\wp", @"\nabla", @"\bigstar", @"\angle", @"\nexists", @"\diagdown", @"\measuredangle", @"\eth",
            "ℵ", "ℶ", "ℷ", "ℸ", @"\diagup", @"\sphericalangle", @"\clubsuit", @"\varnothing", @"\Diamond", @"\complement",
            @"\diamondsuit", @"\imath", @"\Finv", @"\triangledown", @"\heartsuit", @"\jmath", @"\Game", @"\triangle", @"\spadesuit",
            @"\ell", @"\hbar", @"\vartriangle", @"\hslash", @"\blacklozenge", @"\lozenge", @"\blacksquare", @"\mho",
            @"\blacktriangle", @"\sharp", @"\prime", @"\Im", @"\flat", @"\square", @"\backprime", @"\Re", @"\natural", @"\surd", @"\circledS");
        Add(T.Symbol, @"\partial", @"\infty", @"\$\infty", @"\infty\%", @"\infty%");
        Add(T.SetNaturals, @"\mathbb{N}", "ℕ"); Add(T.SetIntegers, @"\mathbb{Z}", "ℤ"); Add(T.SetRationals, @"\mathbb{Q}", "ℚ");
        Add(T.SetReals, @"\mathbb{R}", "ℝ"); Add(T.SetComplex, @"\mathbb{C}", "ℂ"); Add(T.SetPrimes, @"\mathbb{P}", "ℙ");
        Add(T.Union, @"\cup", "∪"); Add(T.Intersection, @"\cap", "∩"); Add(T.SetMinus, @"\setminus", "∖");
        Add(T.PlusMinus, @"\pm", "±", "∓", @"\mp"); Add(T.Supset, @"\supseteq", "⊇"); Add(T.Subset, @"\subseteq", "⊆");
        return d;
    }
}
