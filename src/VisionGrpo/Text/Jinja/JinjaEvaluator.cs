using System.Text;

namespace VisionGrpo.Text.Jinja;

/// <summary>
/// Tree-walking renderer with Jinja2 scoping: a for-loop iteration, a macro call and a <c>with</c> block open a
/// new scope (so <c>set</c> inside a loop does not leak out, which is why templates use <c>namespace()</c>);
/// <c>if</c> does not.
/// </summary>
internal sealed partial class JinjaEvaluator
{
    sealed class Scope(Scope? parent)
    {
        public readonly Dictionary<string, object?> Vars = new(StringComparer.Ordinal);
        public Scope? Parent => parent;

        public bool TryGet(string name, out object? value)
        {
            for (var s = this; s is not null; s = s.Parent)
                if (s.Vars.TryGetValue(name, out value)) return true;
            value = null;
            return false;
        }
    }

    enum Flow { Normal, Break, Continue }

    const int MaxDepth = 200;
    int depth;

    public static string Render(IReadOnlyList<Stmt> body, IReadOnlyDictionary<string, object?> globals, IReadOnlyDictionary<string, object?> variables)
    {
        var root = new Scope(null);
        foreach (var (k, v) in globals) root.Vars[k] = v;
        var scope = new Scope(root);
        foreach (var (k, v) in variables) scope.Vars[k] = v;
        var sb = new StringBuilder();
        new JinjaEvaluator().Exec(body, scope, sb);
        return sb.ToString();
    }

    Flow Exec(IReadOnlyList<Stmt> body, Scope scope, StringBuilder sb)
    {
        foreach (var stmt in body)
        {
            var flow = ExecOne(stmt, scope, sb);
            if (flow != Flow.Normal) return flow;
        }
        return Flow.Normal;
    }

    Flow ExecOne(Stmt stmt, Scope scope, StringBuilder sb)
    {
        try
        {
            switch (stmt)
            {
                case TextStmt t: sb.Append(t.Text); return Flow.Normal;
                case OutputStmt o: sb.Append(JinjaValues.ToStr(Eval(o.Value, scope))); return Flow.Normal;
                case IfStmt i:
                    foreach (var (condition, branch) in i.Branches)
                        if (JinjaValues.IsTruthy(Eval(condition, scope))) return Exec(branch, scope, sb);
                    return i.Else is null ? Flow.Normal : Exec(i.Else, scope, sb);
                case ForStmt f: ExecFor(f, scope, sb); return Flow.Normal;
                case SetStmt s: ExecSet(s, scope); return Flow.Normal;
                case MacroStmt m: scope.Vars[m.Name] = MakeMacro(m, scope); return Flow.Normal;
                case FilterBlockStmt fb:
                    var inner = new StringBuilder();
                    Exec(fb.Body, scope, inner);
                    var (args, kwargs) = EvalArgs(fb.Args, scope);
                    sb.Append(JinjaValues.ToStr(JinjaFilters.Apply(fb.Filter, inner.ToString(), args, kwargs)));
                    return Flow.Normal;
                case WithStmt w:
                    var withScope = new Scope(scope);
                    foreach (var (name, value) in w.Assignments) withScope.Vars[name] = Eval(value, scope);
                    return Exec(w.Body, withScope, sb);
                case GenerationStmt g: return Exec(g.Body, scope, sb);
                case BreakStmt: return Flow.Break;
                case ContinueStmt: return Flow.Continue;
                default: throw new JinjaException($"Unsupported statement {stmt.GetType().Name}", stmt.Line, stmt.Column);
            }
        }
        catch (TemplateRuntimeError e)
        {
            throw new JinjaException(e.Message, stmt.Line, stmt.Column, e);
        }
    }

    void ExecFor(ForStmt f, Scope scope, StringBuilder sb)
    {
        var items = JinjaValues.Iterate(Eval(f.Iterable, scope));
        if (f.Filter is not null)
        {
            items = items.Where(item =>
            {
                var probe = new Scope(scope);
                Bind(f.Targets, item, probe);
                return JinjaValues.IsTruthy(Eval(f.Filter, probe));
            }).ToList();
        }
        else items = items.ToList(); // iterate a snapshot, as Python iterates the list object
        if (items.Count == 0)
        {
            if (f.Else is not null) Exec(f.Else, scope, sb);
            return;
        }
        var loop = new LoopContext(items);
        for (int i = 0; i < items.Count; i++)
        {
            loop.Index0 = i;
            var iteration = new Scope(scope);
            iteration.Vars["loop"] = loop;
            Bind(f.Targets, items[i], iteration);
            if (Exec(f.Body, iteration, sb) == Flow.Break) break;
        }
    }

    static void Bind(IReadOnlyList<string> targets, object? value, Scope scope)
    {
        if (targets.Count == 1) { scope.Vars[targets[0]] = value; return; }
        var parts = value is List<object?> l ? l : value is string s ? JinjaValues.TextChars(s)
            : throw new TemplateRuntimeError($"cannot unpack non-iterable {JinjaValues.TypeName(value)} object");
        if (parts.Count != targets.Count)
            throw new TemplateRuntimeError(parts.Count > targets.Count
                ? $"too many values to unpack (expected {targets.Count})"
                : $"not enough values to unpack (expected {targets.Count}, got {parts.Count})");
        for (int i = 0; i < targets.Count; i++) scope.Vars[targets[i]] = parts[i];
    }

    void ExecSet(SetStmt s, Scope scope)
    {
        object? value;
        if (s.Body is not null)
        {
            var sb = new StringBuilder();
            Exec(s.Body, scope, sb);
            value = sb.ToString();
        }
        else value = Eval(s.Value!, scope);

        if (s.Attribute is null) { Bind(s.Targets, value, scope); return; }
        if (!scope.TryGet(s.Targets[0], out var target) || target is not JinjaNamespace ns)
            throw new TemplateRuntimeError($"cannot assign attribute on non-namespace object '{s.Targets[0]}'");
        ns.Attributes[s.Attribute] = value;
    }

    JinjaFunction MakeMacro(MacroStmt m, Scope definedIn) => (args, kwargs) =>
    {
        if (args.Count > m.Parameters.Count)
            throw new TemplateRuntimeError($"macro '{m.Name}' takes not more than {m.Parameters.Count} argument(s)");
        if (++depth > MaxDepth) throw new TemplateRuntimeError($"macro '{m.Name}': recursion deeper than {MaxDepth}");
        try
        {
            var scope = new Scope(definedIn);
            for (int i = 0; i < m.Parameters.Count; i++)
            {
                var (name, fallback) = m.Parameters[i];
                scope.Vars[name] = i < args.Count ? args[i]
                    : kwargs.TryGetValue(name, out var kw) ? kw
                    : fallback is not null ? Eval(fallback, scope)
                    : new JinjaUndefined($"parameter '{name}' was not provided");
            }
            foreach (var key in kwargs.Keys)
                if (!m.Parameters.Any(p => p.Name == key))
                    throw new TemplateRuntimeError($"macro '{m.Name}' has no parameter named '{key}'");
            var sb = new StringBuilder();
            Exec(m.Body, scope, sb);
            return sb.ToString();
        }
        finally { depth--; }
    };
}
