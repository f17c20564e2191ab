namespace VisionGrpo.Text.Jinja;

internal sealed partial class JinjaEvaluator
{
    object? Eval(Expr e, Scope scope)
    {
        try
        {
            return EvalCore(e, scope);
        }
        catch (TemplateRuntimeError ex)
        {
            throw new JinjaException(ex.Message, e.Line, e.Column, ex);
        }
        catch (TemplateRaise ex)
        {
            throw new JinjaRaisedException(ex.Message, e.Line, e.Column);
        }
    }

    object? EvalCore(Expr e, Scope scope)
    {
        switch (e)
        {
            case LiteralExpr l: return l.Value;
            case NameExpr n: return scope.TryGet(n.Name, out var v) ? v : new JinjaUndefined($"'{n.Name}' is undefined");
            case ListExpr l: return l.Items.Select(i => Eval(i, scope)).ToList();
            case DictExpr d:
                var dict = new OrderedDictionary<string, object?>(StringComparer.Ordinal);
                foreach (var (key, value) in d.Pairs)
                    dict[Eval(key, scope) as string ?? throw new TemplateRuntimeError("dict keys must be strings in templates")] = Eval(value, scope);
                return dict;
            case AttributeExpr a: return JinjaAccess.GetAttribute(Eval(a.Target, scope), a.Name);
            case IndexExpr i: return JinjaAccess.GetItem(Eval(i.Target, scope), Eval(i.Index, scope));
            case SliceExpr s:
                return JinjaAccess.Slice(Eval(s.Target, scope), s.Start is null ? null : Eval(s.Start, scope),
                    s.Stop is null ? null : Eval(s.Stop, scope), s.Step is null ? null : Eval(s.Step, scope));
            case CallExpr c: return EvalCall(c, scope);
            case FilterExpr f:
                var (fargs, fkwargs) = EvalArgs(f.Args, scope);
                return JinjaFilters.Apply(f.Name, Eval(f.Target, scope), fargs, fkwargs);
            case TestExpr t:
                var (targs, _) = EvalArgs(t.Args, scope);
                return JinjaTests.Apply(t.Name, Eval(t.Target, scope), targs) != t.Negated;
            case UnaryExpr u: return EvalUnary(u, scope);
            case BinaryExpr b: return EvalBinary(b, scope);
            case CompareExpr c: return EvalCompare(c, scope);
            case ConditionalExpr c:
                return JinjaValues.IsTruthy(Eval(c.Condition, scope)) ? Eval(c.Then, scope)
                    : c.Else is null ? new JinjaUndefined("the inline if-expression evaluated to false and no else section was defined") : Eval(c.Else, scope);
            default: throw new TemplateRuntimeError($"unsupported expression {e.GetType().Name}");
        }
    }

    (List<object?> Args, Dictionary<string, object?> Kwargs) EvalArgs(CallArgs args, Scope scope)
    {
        var positional = args.Positional.Select(a => Eval(a, scope)).ToList();
        var keyword = new Dictionary<string, object?>(StringComparer.Ordinal);
        foreach (var (name, value) in args.Keyword) keyword[name] = Eval(value, scope);
        return (positional, keyword);
    }

    object? EvalCall(CallExpr c, Scope scope)
    {
        var callee = Eval(c.Callee, scope);
        var (args, kwargs) = EvalArgs(c.Args, scope);
        return callee switch
        {
            JinjaFunction f => f(args, kwargs),
            JinjaUndefined u => throw new TemplateRuntimeError(u.Hint),
            _ => throw new TemplateRuntimeError($"'{JinjaValues.TypeName(callee)}' object is not callable"),
        };
    }

    object? EvalUnary(UnaryExpr u, Scope scope)
    {
        var v = Eval(u.Operand, scope);
        return u.Op switch
        {
            "not" => !JinjaValues.IsTruthy(v),
            "-" => v switch { long l => -l, double d => -d, bool b => b ? -1L : 0L, _ => throw new TemplateRuntimeError($"bad operand type for unary -: '{JinjaValues.TypeName(v)}'") },
            "+" => v switch { long or double => v, bool b => b ? 1L : 0L, _ => throw new TemplateRuntimeError($"bad operand type for unary +: '{JinjaValues.TypeName(v)}'") },
            _ => throw new TemplateRuntimeError($"unknown unary operator {u.Op}"),
        };
    }

    object? EvalBinary(BinaryExpr b, Scope scope)
    {
        switch (b.Op)
        {
            case "and":
                var left = Eval(b.Left, scope);
                return JinjaValues.IsTruthy(left) ? Eval(b.Right, scope) : left;
            case "or":
                var first = Eval(b.Left, scope);
                return JinjaValues.IsTruthy(first) ? first : Eval(b.Right, scope);
            case "~":
                return JinjaValues.ToStr(Eval(b.Left, scope)) + JinjaValues.ToStr(Eval(b.Right, scope));
            default:
                return JinjaValues.Arithmetic(b.Op, Eval(b.Left, scope), Eval(b.Right, scope));
        }
    }

    object? EvalCompare(CompareExpr c, Scope scope)
    {
        var left = Eval(c.First, scope);
        foreach (var (op, rightExpr) in c.Rest)
        {
            var right = Eval(rightExpr, scope);
            bool ok = op switch
            {
                "==" => JinjaValues.PyEquals(left, right),
                "!=" => !JinjaValues.PyEquals(left, right),
                "<" => JinjaValues.Compare(left, right, op) < 0,
                "<=" => JinjaValues.Compare(left, right, op) <= 0,
                ">" => JinjaValues.Compare(left, right, op) > 0,
                ">=" => JinjaValues.Compare(left, right, op) >= 0,
                "in" => JinjaValues.Contains(right, left),
                "not in" => !JinjaValues.Contains(right, left),
                _ => throw new TemplateRuntimeError($"unknown comparison {op}"),
            };
            if (!ok) return false;
            left = right;
        }
        return true;
    }
}
