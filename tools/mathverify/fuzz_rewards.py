"""Differential fuzz corpus for the recipe's accuracy reward (developer tooling; not used by the build or CI).

Writes N (solution, completion) rows in many answer styles with the reward computed by the real Python library,
in the `visiongrpo reward` input format. Usage (with math_verify 0.8.0 + latex2sympy2_extended 1.10.2 importable):

    python fuzz_rewards.py --seed 1 --n 3000 > fuzz.jsonl
    visiongrpo reward -i fuzz.jsonl -o out.jsonl --report     # prints the agreement with accuracy_reward
"""
import argparse, json, random
from latex2sympy2_extended import NormalizationConfig
from math_verify import LatexExtractionConfig, parse, verify

WORDS = ["cat", "yes", "no", "even", "odd", "tea", "see", "tree", "east", "blue", "apple", "circle", "true", "false",
         "letter", "green", "coffee", "sheep", "pie", "square", "triangle", "week", "Tuesday", "Yes", "No", "Even"]


def styles(r):
    n = r.randint(-999, 99999)
    big = r.randint(10**15, 10**19)
    a, b = r.randint(1, 40), r.randint(2, 41)
    d = round(r.uniform(0, 500), r.choice([1, 2, 3]))
    k = r.randint(-6, 8)
    m = round(r.uniform(1, 9.99), 2)
    w = r.choice(WORDS)
    letter = r.choice("ABCDE")
    pct = r.randint(1, 99)
    return [
        (f"{n}", [f"${n}$", f"\\boxed{{{n}}}", f"{n + r.choice([-1, 1])}", f"{n}.0", f"{n}.0000001", f"{n:,}",
                  f"$\\boxed{{{n}.000001}}$"]),
        (f"{big}", [f"$\\boxed{{{big}}}$", f"$\\boxed{{{big + 1}}}$", f"${big - 1}$", f"{big:,}"]),
        (f"{d}", [f"${d}$", f"\\boxed{{{d}}}", f"{round(d, 1)}", f"{d}0", f"{d + 1e-7:.7f}", f"{d + 1e-5:.5f}"]),
        (f"\\frac{{{a}}}{{{b}}}", [f"$\\frac{{{a}}}{{{b}}}$", f"{a / b:.6f}", f"{a / b:.3f}", f"{a}/{b}",
                                   f"\\frac{{{2 * a}}}{{{2 * b}}}", f"{a / b:.7f}", f"{a / b:.5f}"]),
        (f"{pct}\\%", [f"{pct}\\%", f"{pct / 100}", f"{pct}", f"{pct}%", f"{pct} percent"]),
        (f"{m} \\times 10^{{{k}}}", [f"{m * 10**k:g}", f"{m} \\cdot 10^{{{k}}}", f"{m}e{k}", f"{round(m * 10**k, 6)}",
                                     f"{m}\\times10^{k}"]),
        (f"{m * 10**abs(k):.0f}", [f"{m} \\times 10^{{{abs(k)}}}", f"{m} \\cdot 10^{{{abs(k)}}}"]),
        (f"\\sqrt{{{b}}}", [f"\\sqrt{{{b}}}", f"{b ** 0.5:.6f}", f"{b ** 0.5:.4f}", f"{b}^{{1/2}}"]),
        (f"{a}\\pi", [f"{a}\\pi", f"{a * 3.141592653589793:.6f}", f"{a * 3.14159:.5f}", f"\\pi \\cdot {a}"]),
        (f"\\text{{{w}}}", [f"\\boxed{{{w}}}", f"\\text{{{w}}}", f"\\boxed{{\\text{{{w.capitalize()}}}}}", f"{w}",
                            f"\\boxed{{{r.choice(WORDS)}}}"]),
        (f"{w}", [f"\\boxed{{{w}}}", f"\\text{{{w}}}", f"{w.upper()}"]),
        (f"{letter}", [f"\\boxed{{{letter}}}", f"({letter})", f"The answer is {letter}", f"{letter.lower()}",
                       f"\\text{{{letter}}}"]),
        (f"({a}, {b})", [f"({a}, {b})", f"({b}, {a})", f"\\left({a},{b}\\right)", f"[{a}, {b}]"]),
        (f"\\{{{a}, {b}\\}}", [f"\\{{{b}, {a}\\}}", f"{a}, {b}", f"x = {a} \\text{{ or }} x = {b}"]),
        (f"y = {a}x + {b}", [f"y = {a}x + {b}", f"y = {b} + {a}x", f"{a}x + {b}", f"y={a}x-{b}"]),
        (f"{a}^\\circ", [f"{a}^\\circ", f"{a}", f"{a} degrees", f"{a}^{{\\circ}}"]),
        (f"x \\in [{a}, {a + b})", [f"[{a}, {a + b})", f"{a} \\le x < {a + b}", f"({a}, {a + b})"]),
    ]


def wrap(r, gold, pred):
    solution = f"<think>Let's compute carefully. The result is {gold}.</think>\n\n<answer>{gold}</answer>" \
        if r.random() < 0.5 else f"<think>We simplify step by step.</think><answer>${gold}$</answer>"
    inner = r.choice([f"${pred}$", f"$\\boxed{{{pred}}}$", f"\\({pred}\\)", f"The final answer is ${pred}$",
                      f"\\[{pred}\\]", f"{pred}"])
    return solution, f"<think>\nReasoning about the problem.\n</think>\n<answer>\n{inner}\n</answer>"


def reward(solution, completion):
    gold = parse(solution, extraction_mode="first_match")
    if len(gold) == 0:
        return float(completion.strip().lower() == solution.strip().lower())
    answer = parse(completion, extraction_config=[LatexExtractionConfig(
        normalization_config=NormalizationConfig(nits=False, malformed_operators=False, basic_latex=True,
                                                 boxed="all", units=True),
        boxed_match_priority=0, try_extract_without_anchor=False)], extraction_mode="first_match")
    return float(verify(gold, answer))


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--seed", type=int, default=1)
    ap.add_argument("--n", type=int, default=3000)
    args = ap.parse_args()
    r = random.Random(args.seed)
    for i in range(args.n):
        cases = styles(r)
        style = r.randrange(len(cases))
        gold, preds = cases[style]
        solution, completion = wrap(r, gold, r.choice(preds))
        try:
            acc = reward(solution, completion)
        except Exception:
            acc = None
        print(json.dumps({"id": i, "style": style, "solution": solution, "completion": completion,
                          "accuracy_reward": acc}, ensure_ascii=False))


if __name__ == "__main__":
    main()
