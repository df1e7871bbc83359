"""Raw LM text to values: literals only, and hostile answers never run."""

from __future__ import annotations

import pytest

from coc_lsp.lm.answers import MAX_ANSWER_CHARS, parse_answer, parse_literal
from coc_lsp.lm.errors import AnswerError


@pytest.mark.parametrize(
    ("raw", "value"),
    [
        ('{"value": true}', {"value": True}),
        ("true", True),
        ("True", True),
        ("None", None),
        ("[1, 2.5, 'a']", [1, 2.5, "a"]),
        ("{'x': (1, 2), 'y': {3}}", {"x": (1, 2), "y": {3}}),
        ('```json\n{"x": 1}\n```', {"x": 1}),
        ("```\n[1, 2]\n```", [1, 2]),
        ('Here is the answer: {"x": 1}', {"x": 1}),
        ("Sure.\n{'x': 'a, b'}\nThat is all.", {"x": "a, b"}),
        ('  "text with } brace"  ', "text with } brace"),
    ],
)
def test_parse_literal_reads_json_and_python_literals(raw: str, value) -> None:
    assert parse_literal(raw) == value


HOSTILE = [
    "__import__('os').system('touch {marker}')",
    "exec(\"open('{marker}', 'w').close()\")",
    "eval(\"__import__('os').system('touch {marker}')\")",
    "(lambda: open('{marker}', 'w'))()",
    "{{'x': __import__('os').system('touch {marker}')}}",
    "[open('{marker}', 'w')]",
    "```python\nimport os\nos.system('touch {marker}')\n```",
    "exec(\"{{'x': 1}}\")",
    "__import__('os').system(\"[1]\")",
    "[1, 2].pop()",
    "x = {{'a': 1}}",
]


@pytest.mark.parametrize("template", HOSTILE)
def test_hostile_answers_raise_and_never_run(template: str, tmp_path) -> None:
    marker = tmp_path / "pwned"
    raw = template.format(marker=marker)
    for kind in ("call", "expression", "line", "pseudo"):
        with pytest.raises(AnswerError):
            parse_answer(raw, kind, ["x"])
    assert not marker.exists()


def test_garbage_is_shown_in_the_error() -> None:
    with pytest.raises(AnswerError, match="not a JSON value or a Python literal: 'I think so'"):
        parse_literal("I think so")


def test_oversized_answer_is_refused() -> None:
    with pytest.raises(AnswerError, match="capped at"):
        parse_literal("[" + "1, " * MAX_ANSWER_CHARS + "1]")


def test_deeply_nested_answer_is_an_answer_error_not_a_crash() -> None:
    with pytest.raises(AnswerError):
        parse_literal("[" * 50_000 + "]" * 50_000)


def test_value_wrapper_is_unwrapped_for_calls_and_expressions() -> None:
    assert parse_answer('{"value": [1, 2]}', "call") == [1, 2]
    assert parse_answer("false", "expression") is False
    assert parse_answer('{"value": 1, "other": 2}', "call") == {"value": 1, "other": 2}


def test_line_answers_are_dicts_of_targets() -> None:
    assert parse_answer('{"x": 1, "y": "a"}', "line", ["x", "y"]) == {"x": 1, "y": "a"}
    assert parse_answer('{"value": 3}', "pseudo", ["total"]) == {"total": 3}
    assert parse_answer("3", "pseudo", ["total"]) == {"total": 3}
    with pytest.raises(AnswerError, match="x, y"):
        parse_answer("[1, 2]", "line", ["x", "y"])
