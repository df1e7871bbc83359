"""Each construct of the executor, run through the real rewrite, hooks, session and LMulator."""

from __future__ import annotations

from pathlib import Path

import pytest

from coc_lsp.runtime.trace import End, Error
from tests.runtime.scripted import run_program


def by_source(table: dict[str, object]):
    def answer(request):
        return table[request.source]

    return answer


AHEAD = pytest.mark.parametrize("concurrent", [False, True], ids=["one-by-one", "asked-ahead"])


@AHEAD
def test_semantic_call_inside_a_loop_inside_a_function(tmp_path: Path, concurrent: bool) -> None:
    source = (
        "def count(items):\n"
        "    n = 0\n"
        "    for s in items:\n"
        "        if is_sarcastic(s, strict=True):\n"
        "            n += 1\n"
        "    return n\n"
        "answer = count(['a', 'bb', 'cc'])\n"
    )
    run = run_program(tmp_path, source, lambda r: len(r.args[0]) == 2, concurrent=concurrent)
    assert run.answer == "2"
    assert sorted(r.args for r in run.requests) == [("a",), ("bb",), ("cc",)]  # asked ahead: any order
    assert run.requests[0].kwargs == {"strict": True}
    assert run.requests[0].function == "is_sarcastic" and run.requests[0].returns == "bool"
    assert [e.value for e in run.emulations] == ["False", "True", "True"]
    assert {e.line for e in run.emulations} == {4}
    assert [e.prefetched for e in run.emulations] == [concurrent] * 3


def test_failing_statement_binds_its_targets_and_runs_its_effects_once(tmp_path: Path) -> None:
    source = (
        "log = []\n"
        "def record(x):\n"
        "    log.append(x)\n"
        "    return x\n"
        "a, b = record(1) + missing, 5\n"
        "answer = (a, b, len(log))\n"
    )
    run = run_program(tmp_path, source, lambda r: {"a": 10, "b": 20})
    assert run.answer == "(10, 20, 1)"
    [request] = run.requests
    assert request.kind == "line" and request.targets == ["a", "b"]
    assert request.error == "NameError: name 'missing' is not defined"
    assert request.state["log"] == [1]


@pytest.mark.parametrize(
    ("source", "answers", "expected"),
    [
        ("if missing > 1:\n    answer = 'yes'\nelse:\n    answer = 'no'\n", {"missing > 1": False}, "'no'"),
        ("x = 0\nif x:\n    answer = 1\nelif missing:\n    answer = 2\n", {"missing": True}, "2"),
        ("answer = 0\nfor i in missing_items:\n    answer += i\n", {"missing_items": [1, 2, 3]}, "6"),
        ("assert missing, 'no'\nanswer = 'passed'\n", {"missing": True}, "'passed'"),
        ("with missing_cm as v:\n    answer = v\n", {"missing_cm": "ctx"}, "'ctx'"),
        ("def f() -> int:\n    return missing + 1\nanswer = f()\n", {"missing + 1": 41}, "41"),
        ("def g():\n    yield missing\nanswer = list(g())\n", {"missing": "y"}, "['y']"),
    ],
)
def test_failing_headers_are_emulated_as_expressions(tmp_path: Path, source: str, answers: dict, expected: str) -> None:
    run = run_program(tmp_path, source, by_source(answers))
    assert run.result.exit_code == 0, run.stderr
    assert run.answer == expected
    assert all(r.kind == "expression" for r in run.requests)


def test_while_test_is_emulated_each_time_it_fails(tmp_path: Path) -> None:
    source = "n = 0\nwhile n < limit:\n    n += 1\nelse:\n    done = True\nanswer = (n, done)\n"
    answers = iter([True, True, False])
    run = run_program(tmp_path, source, lambda r: next(answers))
    assert run.answer == "(2, True)"
    assert len(run.requests) == 3 and run.requests[0].returns == "bool"


def test_return_type_comes_from_the_annotation(tmp_path: Path) -> None:
    run = run_program(tmp_path, "def f() -> int:\n    return missing\nanswer = f()\n", lambda r: 3)
    assert run.requests[0].returns == "int"


def test_nonlocal_and_global_targets(tmp_path: Path) -> None:
    source = (
        "total = 0\n"
        "def outer():\n"
        "    count = 0\n"
        "    def inner():\n"
        "        nonlocal count\n"
        "        global total\n"
        "        count = missing_count\n"
        "        total = missing_total\n"
        "    inner()\n"
        "    return count\n"
        "answer = (outer(), total)\n"
    )
    run = run_program(tmp_path, source, lambda r: {r.targets[0]: 7 if r.targets == ["count"] else 9})
    assert run.answer == "(7, 9)"


@AHEAD
def test_comprehensions_lambdas_generators_and_methods(tmp_path: Path, concurrent: bool) -> None:
    source = (
        "class Basket:\n"
        "    def __init__(self, items):\n"
        "        self.items = items\n"
        "    def fruits(self):\n"
        "        return [i for i in self.items if is_fruit(i)]\n"
        "def heavy(items):\n"
        "    for i in items:\n"
        "        yield weight_of(i)\n"
        "by_weight = sorted(['b', 'aa'], key=lambda w: weight_of(w))\n"
        "answer = (Basket(['apple', 'brick']).fruits(), list(heavy(['x'])), by_weight)\n"
    )

    def answer(request):
        if request.function == "is_fruit":
            return request.args[0] == "apple"
        return len(request.args[0])

    run = run_program(tmp_path, source, answer, concurrent=concurrent)
    assert run.answer == "(['apple'], [1], ['b', 'aa'])"
    assert [(e.function, e.value, e.prefetched) for e in run.emulations] == [
        ("weight_of", "1", False),  # sorted's key: a lambda is not a loop of ours
        ("weight_of", "2", False),
        ("is_fruit", "True", concurrent),  # the method's comprehension
        ("is_fruit", "False", concurrent),
        ("weight_of", "1", concurrent),  # the generator's loop
    ]


def test_programs_own_handlers_keep_catching(tmp_path: Path) -> None:
    source = (
        "def parse(x):\n"
        "    return int(x)\n"
        "try:\n"
        "    a = int('twelve')\n"
        "except ValueError:\n"
        "    a = -1\n"
        "try:\n"
        "    b = parse('x')\n"  # raised one frame down: the caller's handler still catches
        "except (KeyError, ValueError):\n"
        "    b = -2\n"
        "c = int('three')\n"  # nobody catches this one: emulated
        "answer = (a, b, c)\n"
    )
    run = run_program(tmp_path, source, lambda r: {"c": 3})
    assert run.answer == "(-1, -2, 3)"
    assert [r.source for r in run.requests] == ["c = int('three')"]


def test_raise_and_exits_are_never_emulated(tmp_path: Path) -> None:
    run = run_program(tmp_path, "def f():\n    raise ValueError('mine')\nx = f()\n", lambda r: {"x": 1})
    assert run.result.exit_code == 1 and run.requests == []
    assert "program.coc.py:2: ValueError: mine" in run.result.error
    assert "Traceback" in run.stderr and "coc_lsp" not in run.stderr

    run = run_program(tmp_path, "import sys\nx = sys.exit(3)\n", lambda r: {"x": 1})
    assert run.result.exit_code == 3 and run.requests == []

    run = run_program(tmp_path, "x = (lambda: (_ for _ in ()).throw(KeyboardInterrupt))()\n", lambda r: {"x": 1})
    assert run.result.exit_code == 1 and run.requests == []


def test_pseudo_code_lines(tmp_path: Path) -> None:
    source = (
        "words = ['apple', 'sky']\n"
        "vowels = count the vowels in all the words  # -> int\n"
        "for w in the words that have a vowel:\n"
        "    print the word in capitals\n"
        "answer = vowels\n"
    )
    answers = {
        "vowels = count the vowels in all the words": {"vowels": 3},
        "the words that have a vowel": ["apple"],
        "print the word in capitals": "APPLE",
    }
    run = run_program(tmp_path, source, by_source(answers))
    assert run.answer == "3" and run.stdout == "APPLE\n"
    assert run.requests[0].kind == "pseudo" and run.requests[0].target_types == {"vowels": "int"}


def test_wrong_type_is_retried_once_then_stops_with_file_and_line(tmp_path: Path) -> None:
    answers = iter(["maybe", {"not": "a bool"}])
    run = run_program(tmp_path, "x = 1\nflag = is_big(x)  # -> bool\n", lambda r: next(answers))
    assert run.result.exit_code == 1
    assert "program.coc.py:2" in run.result.error
    assert len(run.requests) == 2 and run.requests[1].feedback
    assert any(isinstance(e, Error) and e.kind == "emulation" for e in run.events)


def test_lm_mode_emulates_every_assignment(tmp_path: Path) -> None:
    source = "a = 1\nb = a + 1\nif b > 1:\n    answer = b * 10\n"
    answers = {"a = 1": {"a": 1}, "b = a + 1": {"b": 2}, "b > 1": True, "answer = b * 10": {"answer": 20}}
    run = run_program(tmp_path, source, by_source(answers), mode="lm")
    assert run.answer == "20" and len(run.requests) == 4
    assert {e.trigger for e in run.emulations} == {"lm-mode"}


def test_python_mode_names_the_first_failing_line(tmp_path: Path) -> None:
    run = run_program(tmp_path, "x = 1\ny = is_big(x)\n", lambda r: True, mode="python")
    assert run.result.exit_code == 1 and run.requests == []
    assert run.result.error.endswith("program.coc.py:2: NameError: name 'is_big' is not defined")


def test_trace_records_the_run(tmp_path: Path) -> None:
    run = run_program(tmp_path, "print('hi')\nanswer = is_big(3)\n", lambda r: True)
    kinds = [e.name for e in run.events]
    assert kinds[0] == "start" and kinds[-1] == "end"
    assert {"backend", "emulating", "emulation", "output"} <= set(kinds)
    [emulation] = run.emulations
    assert (emulation.line, emulation.col, emulation.end_col) == (2, 9, 18)
    assert emulation.kind == "call" and emulation.trigger == "undefined-call"
    assert emulation.cached is False and emulation.attempts == 1
    end = run.events[-1]
    assert isinstance(end, End) and end.answer == "True" and end.totals.emulations == 1 and end.status == "ok"
