"""pytest plugin: records the cases of Math-Verify's and latex2sympy2_extended's own test suites as corpus rows.

Developer tooling only (not used by the build or CI). Run from the root of a checkout of either repository, with the
reference libraries importable:

    HARVEST_OUT=cases.jsonl HARVEST_REPO=latex2sympy2_extended python -m pytest -q -p harvest_plugin tests

Each row has the corpus schema of shared/fixtures/math_verify (kinds verify / latex2sympy); `expected` is what the
reference did (for converter cases: true, false when the test's comparison failed, "raises").
"""
import json
import os

from sympy import srepr

_out = None
_repo = os.environ.get("HARVEST_REPO", "Math-Verify")
_index = {}


def _emit(row):
    test = os.environ.get("PYTEST_CURRENT_TEST", "").split(" ")[0]
    prefix = "" if _repo == "Math-Verify" else _repo + ":"
    row["source"] = prefix + test.split("[")[0]
    row["case_index"] = _index.setdefault(row["source"], 0)
    _index[row["source"]] += 1
    _out.write(json.dumps(row, ensure_ascii=False) + "\n")
    _out.flush()


def _latex_target():
    return {"type": "latex", "boxed_match_priority": 0, "try_extract_without_anchor": True,
            "normalization": {"basic_latex": True, "units": True, "malformed_operators": True, "nits": True,
                              "boxed": "all", "equations": True}}


def pytest_configure(config):
    global _out
    _out = open(os.environ["HARVEST_OUT"], "w", encoding="utf-8")
    if _repo == "Math-Verify":
        import tests.test_all as ta
        orig = ta.compare_strings

        def compare_strings(gold, pred, match_types=["latex", "expr"], precision=6, strict=True,
                            allow_set_relation_comp=False):
            result = orig(gold, pred, match_types, precision, strict, allow_set_relation_comp)
            targets = [_latex_target() if t == "latex" else {"type": "expr", "try_extract_without_anchor": True}
                       for t in match_types]
            _emit({"gold": gold, "pred": pred, "expected": bool(result), "kind": "verify",
                   "config": "compare_strings: " + "+".join(match_types),
                   "params": {"gold_targets": targets, "pred_targets": targets, "fallback_mode": "first_match",
                              "extraction_mode": "any_match", "float_rounding": precision, "numeric_precision": 15,
                              "strict": strict, "allow_set_relation_comp": allow_set_relation_comp}})
            return result

        ta.compare_strings = compare_strings
    else:
        import tests.context as ctx
        from latex2sympy2_extended import latex2sympy
        orig = ctx.assert_equal

        def assert_equal(latex, expr, symbolically=False, variables=None):
            # What the reference does with this call: "raises", or whether the test's comparison holds. Calls inside
            # `pytest.raises` blocks are expected to fail; elsewhere a failure means the library is flaky here.
            try:
                latex2sympy(latex, variable_values=variables)
                orig(latex, expr, symbolically, variables)
                expected = True
            except AssertionError:
                expected = False
            except Exception:
                expected = "raises"
            row = {"gold": str(expr), "pred": latex, "expected": expected, "kind": "latex2sympy",
                   "config": "assert_equal", "params": {"compare": "symbolic" if symbolically else "structural",
                                                         "gold_srepr": srepr(expr)}}
            if variables:
                row["params"]["variables"] = {k: str(v) for k, v in variables.items()}
            _emit(row)
            assert expected is True

        ctx.assert_equal = assert_equal


def pytest_collection_modifyitems(session, config, items):
    """Wraps the `latex2sympy` / `assert_equal` names the test modules imported, so direct calls are recorded too."""
    if _repo == "Math-Verify":
        return
    import tests.context as ctx
    for mod in {item.module for item in items}:
        if hasattr(mod, "assert_equal"):
            mod.assert_equal = ctx.assert_equal
        if hasattr(mod, "latex2sympy") and mod.__name__ != "tests.context":
            real = mod.latex2sympy

            def recording(latex, *a, _real=real, **k):
                try:
                    return _real(latex, *a, **k)
                except Exception:
                    _emit({"gold": None, "pred": latex, "expected": "raises", "kind": "latex2sympy",
                           "config": "latex2sympy(pred) must raise"})
                    raise

            mod.latex2sympy = recording


def pytest_unconfigure(config):
    if _out:
        _out.close()
