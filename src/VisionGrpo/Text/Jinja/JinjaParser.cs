using System.Globalization;

namespace VisionGrpo.Text.Jinja;

/// <summary>
/// Recursive-descent parser for the Jinja2 subset used by Hugging Face chat templates, with Jinja2's operator
/// precedence. Anything outside the subset fails with the construct's name, line and column.
/// </summary>
internal sealed class JinjaParser
{
    static readonly HashSet<string> Unsupported =
        ["include", "import", "from", "extends", "block", "call", "autoescape", "trans", "do", "recursive"];
    static readonly HashSet<string> CompareOps = ["==", "!=", "<", ">", "<=", ">="];

    readonly List<JinjaToken> tokens;
    int index;

    JinjaParser(List<JinjaToken> tokens) => this.tokens = tokens;

    public static IReadOnlyList<Stmt> Parse(string source)
    {
        var parser = new JinjaParser(JinjaLexer.Tokenize(source));
        var (body, end) = parser.ParseBody([]);
        if (end is not null) throw Error($"Unexpected '{{% {end} %}}'", parser.tokens[parser.index - 1]);
        return body;
    }

    JinjaToken Current => tokens[index];
    JinjaToken Peek(int ahead = 1) => tokens[Math.Min(index + ahead, tokens.Count - 1)];
    JinjaToken Next() => tokens[index++];

    static JinjaException Error(string message, JinjaToken at) => new(message, at.Line, at.Column);
    JinjaException Error(string message) => Error(message, Current);

    JinjaToken Expect(TokenKind kind, string? value = null)
    {
        var t = Current;
        if (t.Kind != kind || (value is not null && t.Value != value))
            throw Error($"Expected {(value is null ? kind.ToString().ToLowerInvariant() : $"'{value}'")} but found {t}");
        index++;
        return t;
    }

    string ExpectName() => Expect(TokenKind.Name).Value;
    bool AcceptOperator(string op) { if (!Current.IsOperator(op)) return false; index++; return true; }
    bool AcceptName(string name) { if (!Current.IsName(name)) return false; index++; return true; }

    /// <summary>Statements up to one of <paramref name="endTags"/> (returned, cursor after its name) or the end.</summary>
    (List<Stmt> Body, string? EndTag) ParseBody(HashSet<string> endTags)
    {
        var body = new List<Stmt>();
        while (true)
        {
            var t = Current;
            switch (t.Kind)
            {
                case TokenKind.End:
                    return (body, null);
                case TokenKind.Text:
                    index++;
                    body.Add(new TextStmt(t.Value, t.Line, t.Column));
                    break;
                case TokenKind.VariableBegin:
                    index++;
                    var expr = ParseExpression();
                    Expect(TokenKind.VariableEnd);
                    body.Add(new OutputStmt(expr, t.Line, t.Column));
                    break;
                case TokenKind.BlockBegin:
                    var name = Peek();
                    if (name.Kind == TokenKind.Name && endTags.Contains(name.Value))
                    {
                        index += 2;
                        return (body, name.Value);
                    }
                    index++;
                    body.Add(ParseStatement(t));
                    break;
                default:
                    throw Error($"Unexpected {t}");
            }
        }
    }

    List<Stmt> ParseBlockUntil(JinjaToken opener, string construct, params string[] ends)
    {
        var (body, end) = ParseBody([.. ends]);
        if (end is null) throw Error($"Unclosed '{{% {construct} %}}': missing '{{% {ends[^1]} %}}'", opener);
        Expect(TokenKind.BlockEnd);
        return body;
    }

    Stmt ParseStatement(JinjaToken open)
    {
        var t = Current;
        if (t.Kind != TokenKind.Name) throw Error($"Expected a tag name after '{{%' but found {t}");
        index++;
        switch (t.Value)
        {
            case "if": return ParseIf(t);
            case "for": return ParseFor(t);
            case "set": return ParseSet(t);
            case "macro": return ParseMacro(t);
            case "filter": return ParseFilterBlock(t);
            case "with": return ParseWith(t);
            case "generation":
                Expect(TokenKind.BlockEnd);
                return new GenerationStmt(ParseBlockUntil(t, "generation", "endgeneration"), t.Line, t.Column);
            case "break": Expect(TokenKind.BlockEnd); return new BreakStmt(t.Line, t.Column);
            case "continue": Expect(TokenKind.BlockEnd); return new ContinueStmt(t.Line, t.Column);
            case var name when Unsupported.Contains(name):
                throw Error($"Unsupported Jinja construct '{{% {name} %}}'", t);
            case var name when name.StartsWith("end", StringComparison.Ordinal) || name is "elif" or "else":
                throw Error($"Unexpected '{{% {name} %}}' without a matching opening tag", t);
            default:
                throw Error($"Unknown Jinja tag '{{% {t.Value} %}}'", t);
        }
    }

    Stmt ParseIf(JinjaToken t)
    {
        var branches = new List<(Expr, IReadOnlyList<Stmt>)>();
        List<Stmt>? elseBody = null;
        var condition = ParseExpression();
        while (true)
        {
            Expect(TokenKind.BlockEnd);
            var (body, end) = ParseBody(["elif", "else", "endif"]);
            if (end is null) throw Error("Unclosed '{% if %}': missing '{% endif %}'", t);
            branches.Add((condition, body));
            if (end == "elif") { condition = ParseExpression(); continue; }
            if (end == "else")
            {
                Expect(TokenKind.BlockEnd);
                elseBody = ParseBlockUntil(t, "if", "endif");
            }
            else Expect(TokenKind.BlockEnd);
            return new IfStmt(branches, elseBody, t.Line, t.Column);
        }
    }

    Stmt ParseFor(JinjaToken t)
    {
        var targets = ParseTargets();
        Expect(TokenKind.Name, "in");
        var iterable = ParseConditionalless();
        Expr? filter = AcceptName("if") ? ParseConditionalless() : null;
        if (Current.IsName("recursive")) throw Error("Unsupported Jinja construct 'recursive' loop");
        Expect(TokenKind.BlockEnd);
        var (body, end) = ParseBody(["else", "endfor"]);
        if (end is null) throw Error("Unclosed '{% for %}': missing '{% endfor %}'", t);
        Expect(TokenKind.BlockEnd);
        List<Stmt>? elseBody = end == "else" ? ParseBlockUntil(t, "for", "endfor") : null;
        return new ForStmt(targets, iterable, filter, body, elseBody, t.Line, t.Column);
    }

    List<string> ParseTargets()
    {
        bool paren = AcceptOperator("(");
        var names = new List<string> { ExpectName() };
        while (AcceptOperator(",")) names.Add(ExpectName());
        if (paren) Expect(TokenKind.Operator, ")");
        return names;
    }

    Stmt ParseSet(JinjaToken t)
    {
        if (Current.Kind == TokenKind.Name && Peek().IsOperator("."))
        {
            string ns = ExpectName();
            index++;
            string attr = ExpectName();
            Expect(TokenKind.Operator, "=");
            var value = ParseTupleOrExpression();
            Expect(TokenKind.BlockEnd);
            return new SetStmt([ns], attr, value, null, t.Line, t.Column);
        }
        var targets = ParseTargets();
        if (AcceptOperator("="))
        {
            var value = ParseTupleOrExpression();
            Expect(TokenKind.BlockEnd);
            return new SetStmt(targets, null, value, null, t.Line, t.Column);
        }
        if (Current.IsOperator("|")) throw Error("Unsupported Jinja construct: filtered block '{% set x | filter %}'");
        Expect(TokenKind.BlockEnd);
        if (targets.Count != 1) throw Error("A block '{% set %}' takes exactly one name", t);
        return new SetStmt(targets, null, null, ParseBlockUntil(t, "set", "endset"), t.Line, t.Column);
    }

    Stmt ParseMacro(JinjaToken t)
    {
        string name = ExpectName();
        Expect(TokenKind.Operator, "(");
        var parameters = new List<(string, Expr?)>();
        while (!AcceptOperator(")"))
        {
            if (parameters.Count > 0) Expect(TokenKind.Operator, ",");
            if (AcceptOperator(")")) break;
            string p = ExpectName();
            parameters.Add((p, AcceptOperator("=") ? ParseExpression() : null));
        }
        Expect(TokenKind.BlockEnd);
        return new MacroStmt(name, parameters, ParseBlockUntil(t, "macro", "endmacro"), t.Line, t.Column);
    }

    Stmt ParseFilterBlock(JinjaToken t)
    {
        var nameToken = Current;
        string name = ParseDottedName();
        if (!JinjaFilters.Exists(name)) throw Error($"Unsupported Jinja filter '{name}'", nameToken);
        var args = Current.IsOperator("(") ? ParseCallArgs() : new CallArgs([], []);
        Expect(TokenKind.BlockEnd);
        return new FilterBlockStmt(name, args, ParseBlockUntil(t, "filter", "endfilter"), t.Line, t.Column);
    }

    Stmt ParseWith(JinjaToken t)
    {
        var assignments = new List<(string, Expr)>();
        while (Current.Kind != TokenKind.BlockEnd)
        {
            if (assignments.Count > 0) Expect(TokenKind.Operator, ",");
            string name = ExpectName();
            Expect(TokenKind.Operator, "=");
            assignments.Add((name, ParseExpression()));
        }
        Expect(TokenKind.BlockEnd);
        return new WithStmt(assignments, ParseBlockUntil(t, "with", "endwith"), t.Line, t.Column);
    }

    // ---- expressions (Jinja2 precedence: if-else < or < and < not < compare < ~ < +- < */ //% < ** < unary < postfix/filter) ----

    /// <summary>An expression, or an unparenthesized tuple as in <c>{% set a = 1, 2 %}</c>.</summary>
    Expr ParseTupleOrExpression()
    {
        var first = ParseExpression();
        if (!Current.IsOperator(",")) return first;
        var items = new List<Expr> { first };
        while (AcceptOperator(","))
        {
            if (Current.Kind is TokenKind.BlockEnd or TokenKind.VariableEnd) break;
            items.Add(ParseExpression());
        }
        return new ListExpr(items, first.Line, first.Column);
    }

    public Expr ParseExpression()
    {
        var expr = ParseOr();
        while (Current.IsName("if"))
        {
            var t = Next();
            var condition = ParseOr();
            Expr? otherwise = AcceptName("else") ? ParseExpression() : null;
            expr = new ConditionalExpr(condition, expr, otherwise, t.Line, t.Column);
        }
        return expr;
    }

    /// <summary>A for-loop iterable / filter, where a bare <c>if</c> starts the loop filter instead.</summary>
    Expr ParseConditionalless() => ParseOr();

    Expr ParseOr()
    {
        var left = ParseAnd();
        while (Current.IsName("or")) { var t = Next(); left = new BinaryExpr("or", left, ParseAnd(), t.Line, t.Column); }
        return left;
    }

    Expr ParseAnd()
    {
        var left = ParseNot();
        while (Current.IsName("and")) { var t = Next(); left = new BinaryExpr("and", left, ParseNot(), t.Line, t.Column); }
        return left;
    }

    Expr ParseNot()
    {
        if (Current.IsName("not")) { var t = Next(); return new UnaryExpr("not", ParseNot(), t.Line, t.Column); }
        return ParseCompare();
    }

    Expr ParseCompare()
    {
        var first = ParseConcat();
        var rest = new List<(string, Expr)>();
        while (true)
        {
            if (Current.Kind == TokenKind.Operator && CompareOps.Contains(Current.Value)) rest.Add((Next().Value, ParseConcat()));
            else if (Current.IsName("in")) { index++; rest.Add(("in", ParseConcat())); }
            else if (Current.IsName("not") && Peek().IsName("in")) { index += 2; rest.Add(("not in", ParseConcat())); }
            else break;
        }
        return rest.Count == 0 ? first : new CompareExpr(first, rest, first.Line, first.Column);
    }

    Expr ParseConcat()
    {
        var left = ParseAdditive();
        while (Current.IsOperator("~")) { var t = Next(); left = new BinaryExpr("~", left, ParseAdditive(), t.Line, t.Column); }
        return left;
    }

    Expr ParseAdditive()
    {
        var left = ParseMultiplicative();
        while (Current.IsOperator("+") || Current.IsOperator("-"))
        {
            var t = Next();
            left = new BinaryExpr(t.Value, left, ParseMultiplicative(), t.Line, t.Column);
        }
        return left;
    }

    Expr ParseMultiplicative()
    {
        var left = ParsePower();
        while (Current.Kind == TokenKind.Operator && Current.Value is "*" or "/" or "//" or "%")
        {
            var t = Next();
            left = new BinaryExpr(t.Value, left, ParsePower(), t.Line, t.Column);
        }
        return left;
    }

    Expr ParsePower()
    {
        var left = ParseUnary(withFilter: true);
        while (Current.IsOperator("**")) { var t = Next(); left = new BinaryExpr("**", left, ParseUnary(withFilter: true), t.Line, t.Column); }
        return left;
    }

    Expr ParseUnary(bool withFilter)
    {
        var t = Current;
        Expr node;
        if (t.IsOperator("-") || t.IsOperator("+"))
        {
            index++;
            node = new UnaryExpr(t.Value, ParseUnary(withFilter: false), t.Line, t.Column);
        }
        else node = ParsePrimary();
        node = ParsePostfix(node);
        return withFilter ? ParseFilterAndTest(node) : node;
    }

    Expr ParsePrimary()
    {
        var t = Next();
        switch (t.Kind)
        {
            case TokenKind.Name:
                return t.Value switch
                {
                    "true" or "True" => new LiteralExpr(true, t.Line, t.Column),
                    "false" or "False" => new LiteralExpr(false, t.Line, t.Column),
                    "none" or "None" => new LiteralExpr(null, t.Line, t.Column),
                    _ => new NameExpr(t.Value, t.Line, t.Column),
                };
            case TokenKind.String:
                string s = t.Value;
                while (Current.Kind == TokenKind.String) s += Next().Value; // adjacent literals concatenate
                return new LiteralExpr(s, t.Line, t.Column);
            case TokenKind.Integer:
                return new LiteralExpr(long.Parse(t.Value, CultureInfo.InvariantCulture), t.Line, t.Column);
            case TokenKind.Float:
                return new LiteralExpr(double.Parse(t.Value, CultureInfo.InvariantCulture), t.Line, t.Column);
            case TokenKind.Operator when t.Value == "(":
                if (AcceptOperator(")")) return new ListExpr([], t.Line, t.Column);
                var inner = ParseExpression();
                if (Current.IsOperator(","))
                {
                    var items = new List<Expr> { inner };
                    while (AcceptOperator(",") && !Current.IsOperator(")")) items.Add(ParseExpression());
                    inner = new ListExpr(items, t.Line, t.Column);
                }
                Expect(TokenKind.Operator, ")");
                return inner;
            case TokenKind.Operator when t.Value == "[":
                var list = new List<Expr>();
                while (!AcceptOperator("]"))
                {
                    if (list.Count > 0) Expect(TokenKind.Operator, ",");
                    if (AcceptOperator("]")) break;
                    list.Add(ParseExpression());
                }
                return new ListExpr(list, t.Line, t.Column);
            case TokenKind.Operator when t.Value == "{":
                var pairs = new List<(Expr, Expr)>();
                while (!AcceptOperator("}"))
                {
                    if (pairs.Count > 0) Expect(TokenKind.Operator, ",");
                    if (AcceptOperator("}")) break;
                    var key = ParseExpression();
                    Expect(TokenKind.Operator, ":");
                    pairs.Add((key, ParseExpression()));
                }
                return new DictExpr(pairs, t.Line, t.Column);
            default:
                index--;
                throw Error($"Unexpected {t} in expression");
        }
    }

    Expr ParsePostfix(Expr node)
    {
        while (true)
        {
            var t = Current;
            if (t.IsOperator("."))
            {
                index++;
                var name = Next();
                if (name.Kind is not (TokenKind.Name or TokenKind.Integer)) throw Error($"Expected an attribute name after '.' but found {name}", name);
                node = name.Kind == TokenKind.Integer
                    ? new IndexExpr(node, new LiteralExpr(long.Parse(name.Value, CultureInfo.InvariantCulture), name.Line, name.Column), t.Line, t.Column)
                    : new AttributeExpr(node, name.Value, t.Line, t.Column);
            }
            else if (t.IsOperator("[")) { index++; node = ParseSubscript(node, t); }
            else if (t.IsOperator("(")) node = new CallExpr(node, ParseCallArgs(), t.Line, t.Column);
            else return node;
        }
    }

    Expr ParseSubscript(Expr target, JinjaToken open)
    {
        Expr? start = Current.IsOperator(":") ? null : ParseExpression();
        if (AcceptOperator("]"))
            return new IndexExpr(target, start!, open.Line, open.Column);
        Expect(TokenKind.Operator, ":");
        Expr? stop = Current.IsOperator(":") || Current.IsOperator("]") ? null : ParseExpression();
        Expr? step = null;
        if (AcceptOperator(":") && !Current.IsOperator("]")) step = ParseExpression();
        Expect(TokenKind.Operator, "]");
        return new SliceExpr(target, start, stop, step, open.Line, open.Column);
    }

    CallArgs ParseCallArgs()
    {
        Expect(TokenKind.Operator, "(");
        var positional = new List<Expr>();
        var keyword = new List<(string, Expr)>();
        while (!AcceptOperator(")"))
        {
            if (positional.Count + keyword.Count > 0) Expect(TokenKind.Operator, ",");
            if (AcceptOperator(")")) break;
            if (Current.IsOperator("*") || Current.IsOperator("**")) throw Error("Unsupported Jinja construct: *args / **kwargs in a call");
            if (Current.Kind == TokenKind.Name && Peek().IsOperator("="))
            {
                string name = Next().Value;
                index++;
                keyword.Add((name, ParseExpression()));
            }
            else
            {
                if (keyword.Count > 0) throw Error("Positional argument after a keyword argument");
                positional.Add(ParseExpression());
            }
        }
        return new CallArgs(positional, keyword);
    }

    string ParseDottedName()
    {
        string name = ExpectName();
        while (Current.IsOperator(".") && Peek().Kind == TokenKind.Name) { index++; name += "." + Next().Value; }
        return name;
    }

    Expr ParseFilterAndTest(Expr node)
    {
        while (true)
        {
            var t = Current;
            if (t.IsOperator("|"))
            {
                index++;
                var nameToken = Current;
                string name = ParseDottedName();
                if (!JinjaFilters.Exists(name)) throw Error($"Unsupported Jinja filter '{name}'", nameToken);
                var args = Current.IsOperator("(") ? ParseCallArgs() : new CallArgs([], []);
                node = new FilterExpr(node, name, args, t.Line, t.Column);
            }
            else if (t.IsName("is"))
            {
                index++;
                bool negated = AcceptName("not");
                var nameToken = Current;
                string name = Current.Kind == TokenKind.Name ? ParseDottedName() : Next().Value;
                if (!JinjaTests.Exists(name)) throw Error($"Unsupported Jinja test 'is {name}'", nameToken);
                CallArgs args;
                if (Current.IsOperator("(")) args = ParseCallArgs();
                else if (StartsBareTestArgument(Current)) args = new CallArgs([ParsePostfix(ParsePrimary())], []);
                else args = new CallArgs([], []);
                node = new TestExpr(node, name, args, negated, t.Line, t.Column);
            }
            else if (t.IsOperator("(")) node = new CallExpr(node, ParseCallArgs(), t.Line, t.Column);
            else return node;
        }
    }

    /// <summary>Jinja2 accepts one test argument without parentheses: <c>x is divisibleby 3</c>.</summary>
    static bool StartsBareTestArgument(JinjaToken t) =>
        t.Kind is TokenKind.String or TokenKind.Integer or TokenKind.Float
        || (t.Kind == TokenKind.Name && t.Value is not ("else" or "or" or "and" or "if" or "in" or "is" or "not"))
        || t.IsOperator("[") || t.IsOperator("{");
}
