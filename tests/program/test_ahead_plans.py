"""Which loops get a plan to ask their semantic calls ahead (program/ahead.py, via the rewrite)."""

from __future__ import annotations

import pytest

from coc_lsp.program.rewrite import rewrite


def plans(source: str) -> list[tuple[object, list[str], list[object]]]:
    """(target, functions planned, their argument recipes) per plan."""
    program = rewrite(source, "/tmp/plans.coc.py")
    return [
        (plan.target, [program.sites[c.site].function for c in plan.calls], [c.args for c in plan.calls])
        for plan in program.plans
    ]


@pytest.mark.parametrize(
    ("source", "expected"),
    [
        ("for s in xs:\n    if is_a(s):\n        n = 1\n", [("s", ["is_a"], [(("name", "s"),)])]),
        ("for s in xs:\n    y = f(s, k=s.name)\n", [("s", ["f"], [(("name", "s"),)])]),
        ("for i, (a, b) in xs:\n    f(a[0], b.c, i, 'x', -1)\n", [(("i", ("a", "b")), ["f"], [(
            ("item", ("name", "a"), ("const", 0)), ("attr", ("name", "b"), "c"), ("name", "i"), ("const", "x"), ("const", -1),
        )])]),
        ("ys = [f(x) for x in xs]\n", [("x", ["f"], [(("name", "x"),)])]),
        ("ys = {x: f(x) for x in xs}\n", [("x", ["f"], [(("name", "x"),)])]),
        ("ys = [g(x) for x in xs if f(x)]\n", [("x", ["f"], [(("name", "x"),)])]),  # g: only when f passes
        ("ys = list(map(f, xs))\n", [("@item", ["f"], [(("name", "@item"),)])]),
        ("ys = list(filter(f, xs))\n", [("@item", ["f"], [(("name", "@item"),)])]),
        ("ys = sorted(xs, key=f, reverse=True)\n", [("@item", ["f"], [(("name", "@item"),)])]),
        ("y = max(xs, key=f)\n", [("@item", ["f"], [(("name", "@item"),)])]),
        ("xs = []\nfor i, s in enumerate(xs):\n    f(s)\n", [(("i", "s"), ["f"], [(("name", "s"),)])]),
        ("for s in xs:\n    f(g(s))\n", [("s", ["g"], [(("name", "s"),)])]),  # g's result is not known ahead
        ("for a in xs:\n    for b in ys:\n        f(a, b)\n", [("b", ["f"], [(("name", "a"), ("name", "b"))])]),
    ],
    ids=["if-test", "keyword", "patterns", "listcomp", "dictcomp", "condition", "map", "filter", "sorted", "max", "enumerate", "nested-call", "nested-loops"],
)
def test_planned(source: str, expected: list[object]) -> None:
    assert plans(source) == expected


@pytest.mark.parametrize(
    "source",
    [
        "for s in xs:\n    s = s.strip()\n    f(s)\n",  # the target rebound
        "for s in xs:\n    k = s\n    f(k)\n",  # a name the body binds
        "for s in xs:\n    if s:\n        f(s)\n",  # in an if body
        "for s in xs:\n    if s:\n        continue\n    f(s)\n",  # after a continue
        "for s in xs:\n    t = s and f(s)\n",  # under and
        "for s in xs:\n    t = f(s) if s else 0\n",  # in a branch
        "for s in xs:\n    f(s.upper())\n",  # an argument that calls
        "for s in xs:\n    f(*s)\n",  # starred
        "for s in xs:\n    f(xs[1:])\n",  # a slice
        "for self.s in xs:\n    f(self.s)\n",  # an attribute target
        "async def main():\n    async for s in xs:\n        f(s)\n",  # async for
        "ys = [f(x, y) for x in xs for y in x]\n",  # two fors
        "ys = [f(x) for x in xs if x]\n",  # the element is conditional
        "map = dict\nys = map(f, xs)\n",  # not the builtin map
        "ys = max(xs, ys, key=f)\n",  # two values, not an iterable
        "ys = min(xs, key=f, default=0)\n",  # a keyword we do not know to be harmless
        "def f(x):\n    return x\nfor s in xs:\n    f(s)\n",  # the program's own function
        "for s in xs:\n    print(s)\n",  # no semantic call
        "def g(xs):\n    for s in xs:\n        return f(s)\n",  # only ever the first item
        "for s in xs:\n    y = f(s)\n    break\n",
    ],
)
def test_not_planned(source: str) -> None:
    assert plans(source) == []


def test_a_planned_loop_iterates_through_the_hook_at_the_loops_line() -> None:
    import ast

    program = rewrite("xs = [1]\nfor s in xs:\n    f(s)\nys = [f(x) for x in xs]\n", "/tmp/plans.coc.py")
    text = ast.unparse(program.tree)
    assert "for s in @coc.ahead(0, xs):" in text and "for x in @coc.ahead(1, xs)" in text
    assert [plan.line for plan in program.plans] == [2, 4]
    assert not any(isinstance(node, ast.Lambda) for node in ast.walk(program.tree))  # no code object of ours


@pytest.mark.parametrize("mode", ["python", "lm"])
def test_only_interweave_plans(mode: str) -> None:
    """Python mode never asks the LM in a loop, LM mode emulates each line: neither plans."""
    source = "xs = ['a', 'b']\nfor x in xs:\n    f(x)\nys = [g(x) for x in xs]\nzs = list(map(h, xs))\n"
    assert len(rewrite(source, "/tmp/plans.coc.py").plans) == 3
    assert rewrite(source, "/tmp/plans.coc.py", mode).plans == []  # type: ignore[arg-type]
