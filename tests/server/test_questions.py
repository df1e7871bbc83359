"""Where the question is in a document and where its program goes (server/questions.py)."""

from __future__ import annotations

from lsprotocol import types as lsp

from coc_lsp.program.parse import split_lines
from coc_lsp.server import questions

PROGRAM = "answer = 2\n"


def lines(text: str) -> list[str]:
    return split_lines(text, keepends=True)


def span(a: int, b: int, c: int, d: int) -> lsp.Range:
    return lsp.Range(lsp.Position(a, b), lsp.Position(c, d))


def test_the_docstring_is_read_as_a_literal_and_knows_whether_it_is_alone():
    found = questions.docstring(lines('# header\n\n"""\n    How many?\n    Count them.\n"""\n# notes\n'))
    assert found == questions.Question("How many?\nCount them.", "docstring", 5, alone=True)
    assert questions.docstring(lines('"""Counts."""\nanswer = 1\n')).alone is False
    assert questions.docstring(lines('x = 1\n"""late"""\n')) is None
    assert questions.docstring(lines('"""a"""  + b\n')) is None  # an expression, not a docstring
    assert questions.docstring(lines('""" """\n')) is None
    assert questions.docstring(lines('f"""{__import__("os").system("x")}"""\n')) is None  # never evaluated


def test_a_selection_loses_comment_markers_and_quotes():
    text = lines("x = 1\n# How many\n#   fruits?\ny = 2\n")
    assert questions.selected(text, span(1, 0, 3, 0)) == questions.Question("How many\nfruits?", "selection", 2)
    assert questions.selected(lines("q = 'Is it ripe?'\n"), span(0, 4, 0, 17)).text == "Is it ripe?"
    assert questions.selected(text, span(1, 3, 1, 3)) is None
    assert questions.selected(text, span(0, 0, 0, 0)) is None
    assert questions.selected(lines("x = {[1]: 2}\n"), span(0, 4, 0, 12)).text == "{[1]: 2}"  # literal_eval's TypeError


def test_offered_only_for_a_selection_or_a_file_that_is_only_a_question():
    only = lines('"""How many?"""\n')
    cursor = span(0, 0, 0, 0)
    assert questions.offered(only, cursor) is not None
    assert questions.offered(lines('"""Counts."""\nanswer = 1\n'), cursor) is None
    assert questions.offered(lines('"""Counts."""\nanswer = 1\n'), span(0, 3, 0, 10)).text == "Counts."


def test_below_keeps_a_blank_line_around_the_program():
    assert questions.below(lines('"""Q"""\n'), 0, PROGRAM) == lsp.TextEdit(span(1, 0, 1, 0), "\n" + PROGRAM)
    assert questions.below(lines('"""Q"""'), 0, PROGRAM) == lsp.TextEdit(span(0, 7, 0, 7), "\n\n" + PROGRAM)
    assert questions.below(lines('"""Q"""\nx = 1\n'), 0, PROGRAM) == lsp.TextEdit(span(1, 0, 1, 0), "\n" + PROGRAM + "\n")
    assert questions.below(lines('"""Q"""\n\nx = 1\n'), 0, PROGRAM).new_text == "\n" + PROGRAM


def test_a_new_file_never_takes_an_existing_name(tmp_path):
    (tmp_path / "how-many.coc.py").write_text("")
    assert questions.new_file("How many?", tmp_path) == tmp_path / "how-many-2.coc.py"
