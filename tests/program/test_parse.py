"""Tolerant parsing: pseudo-code lines are absorbed, broken Python is not."""

from __future__ import annotations

import pytest

from coc_lsp.program.parse import split_comment, tolerant_parse


def test_pseudo_forms_are_recognised_with_exact_columns() -> None:
    source = (
        "n = count the vowels in word  # -> int\n"
        "if the sentence is sarcastic:\n"
        "    for w in all words longer than three letters:\n"
        "        print the word\n"
        "def f(x):\n"
        "    return the square of x\n"
    )
    pseudo = tolerant_parse(source).pseudo
    assert {n: p.form for n, p in pseudo.items()} == {1: "assign", 2: "if", 3: "for", 4: "statement", 6: "return"}
    assert (pseudo[1].target, pseudo[1].expr, pseudo[1].col, pseudo[1].end_col) == ("n", "count the vowels in word", 0, 28)
    assert pseudo[3].target == "w" and pseudo[3].expr == "all words longer than three letters"
    assert pseudo[3].col == 4
    assert pseudo[6].expr == "the square of x"


def test_valid_python_has_no_pseudo_lines() -> None:
    assert tolerant_parse("x = 1\nif x:\n    print(x)\n").pseudo == {}


@pytest.mark.parametrize(
    ("source", "line"),
    [
        ("def f(x)\n    return 1\n", 1),  # a missing colon is broken Python, not prose
        ("x = (1,\ny = 2\n", 1),  # unclosed bracket
        ("x = 1\n  y = 2\n", 2),  # bad indentation
        ("import the whole world\n", 1),  # statements starting with keywords are Python
        ("x = 1\n$$$\n", 2),  # symbol soup is a typo
    ],
)
def test_real_syntax_errors_stay_errors(source: str, line: int) -> None:
    with pytest.raises(SyntaxError) as error:
        tolerant_parse(source, "prog.coc.py")
    assert error.value.lineno == line
    assert error.value.filename == "prog.coc.py"


def test_split_comment_ignores_hashes_in_strings() -> None:
    assert split_comment('x = "a # b"  # real') == ('x = "a # b"  ', "real")
    assert split_comment("y = '''#'''") == ("y = '''#'''", "")
