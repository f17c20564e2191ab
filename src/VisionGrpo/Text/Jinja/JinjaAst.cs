namespace VisionGrpo.Text.Jinja;

// The syntax tree of a template. Every node keeps the 1-based line/column of its first token so runtime errors
// can point at the construct.

/// <summary>Base of every syntax-tree node.</summary>
internal abstract record Node(int Line, int Column);

// ---- expressions ----
internal abstract record Expr(int Line, int Column) : Node(Line, Column);
internal sealed record LiteralExpr(object? Value, int Line, int Column) : Expr(Line, Column);
internal sealed record NameExpr(string Name, int Line, int Column) : Expr(Line, Column);
internal sealed record ListExpr(IReadOnlyList<Expr> Items, int Line, int Column) : Expr(Line, Column);
internal sealed record DictExpr(IReadOnlyList<(Expr Key, Expr Value)> Pairs, int Line, int Column) : Expr(Line, Column);
internal sealed record AttributeExpr(Expr Target, string Name, int Line, int Column) : Expr(Line, Column);
internal sealed record IndexExpr(Expr Target, Expr Index, int Line, int Column) : Expr(Line, Column);
internal sealed record SliceExpr(Expr Target, Expr? Start, Expr? Stop, Expr? Step, int Line, int Column) : Expr(Line, Column);
internal sealed record CallArgs(IReadOnlyList<Expr> Positional, IReadOnlyList<(string Name, Expr Value)> Keyword);
internal sealed record CallExpr(Expr Callee, CallArgs Args, int Line, int Column) : Expr(Line, Column);
internal sealed record FilterExpr(Expr Target, string Name, CallArgs Args, int Line, int Column) : Expr(Line, Column);
internal sealed record TestExpr(Expr Target, string Name, CallArgs Args, bool Negated, int Line, int Column) : Expr(Line, Column);
internal sealed record UnaryExpr(string Op, Expr Operand, int Line, int Column) : Expr(Line, Column);
internal sealed record BinaryExpr(string Op, Expr Left, Expr Right, int Line, int Column) : Expr(Line, Column);
internal sealed record CompareExpr(Expr First, IReadOnlyList<(string Op, Expr Right)> Rest, int Line, int Column) : Expr(Line, Column);
internal sealed record ConditionalExpr(Expr Condition, Expr Then, Expr? Else, int Line, int Column) : Expr(Line, Column);

// ---- statements ----
internal abstract record Stmt(int Line, int Column) : Node(Line, Column);
internal sealed record TextStmt(string Text, int Line, int Column) : Stmt(Line, Column);
internal sealed record OutputStmt(Expr Value, int Line, int Column) : Stmt(Line, Column);
internal sealed record IfStmt(IReadOnlyList<(Expr Condition, IReadOnlyList<Stmt> Body)> Branches, IReadOnlyList<Stmt>? Else, int Line, int Column) : Stmt(Line, Column);
internal sealed record ForStmt(IReadOnlyList<string> Targets, Expr Iterable, Expr? Filter, IReadOnlyList<Stmt> Body, IReadOnlyList<Stmt>? Else, int Line, int Column) : Stmt(Line, Column);
/// <summary><c>{% set %}</c>: either a name (list), a namespace attribute (<see cref="Attribute"/>) or a block body.</summary>
internal sealed record SetStmt(IReadOnlyList<string> Targets, string? Attribute, Expr? Value, IReadOnlyList<Stmt>? Body, int Line, int Column) : Stmt(Line, Column);
internal sealed record MacroStmt(string Name, IReadOnlyList<(string Name, Expr? Default)> Parameters, IReadOnlyList<Stmt> Body, int Line, int Column) : Stmt(Line, Column);
internal sealed record FilterBlockStmt(string Filter, CallArgs Args, IReadOnlyList<Stmt> Body, int Line, int Column) : Stmt(Line, Column);
internal sealed record WithStmt(IReadOnlyList<(string Name, Expr Value)> Assignments, IReadOnlyList<Stmt> Body, int Line, int Column) : Stmt(Line, Column);
/// <summary>transformers' <c>{% generation %}</c> marker: renders its body unchanged.</summary>
internal sealed record GenerationStmt(IReadOnlyList<Stmt> Body, int Line, int Column) : Stmt(Line, Column);
internal sealed record BreakStmt(int Line, int Column) : Stmt(Line, Column);
internal sealed record ContinueStmt(int Line, int Column) : Stmt(Line, Column);
