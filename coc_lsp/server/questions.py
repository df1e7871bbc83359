"""Questions in a document and where a program written for one goes. Pure: no LSP I/O.

A question is the selected text (comment markers and quotes removed), or the module docstring.
The "Solve this question" code action is offered for a selection, and for a docstring only when the
file holds nothing else (a file that is only a question): a sample's docstring that describes its
program is no question to solve. The program goes below the question (the line after it) or into a
new file named after the question, which is never one that exists.
"""

from __future__ import annotations

import ast
import inspect
import io
import tokenize
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

from lsprotocol import types as lsp

from coc_lsp.server import positions
from coc_lsp.solve.programs import default_path, with_question

MAX_QUESTION_CHARS = 4000  # a selection longer than this is no question (a whole program, say)


@dataclass(frozen=True)
class Question:
    text: str
    source: str  # "selection" or "docstring"
    end_line: int  # 0-based line the question ends on: the program goes below it
    alone: bool = False  # a docstring with nothing but comments and blank lines after it


def docstring(lines: Sequence[str]) -> Question | None:
    """The module docstring, when the document starts (after comments and blank lines) with a
    string statement; read as a literal, never run."""
    source = "".join(lines)
    try:
        tokens = tokenize.generate_tokens(io.StringIO(source).readline)
        first = next(t for t in tokens if t.type not in (tokenize.COMMENT, tokenize.NL, tokenize.NEWLINE, tokenize.ENCODING))
        after = next(t for t in tokens if t.type not in (tokenize.COMMENT, tokenize.NL))
    except (tokenize.TokenError, SyntaxError, StopIteration):
        return None
    if first.type != tokenize.STRING or after.type not in (tokenize.NEWLINE, tokenize.ENDMARKER):
        return None
    try:
        value = ast.literal_eval(first.string)
    except (ValueError, SyntaxError, MemoryError, RecursionError):
        return None
    if not isinstance(value, str) or not value.strip():
        return None
    end_line = first.end[0] - 1
    rest = (positions.line_text(lines, n + 1).strip() for n in range(end_line + 1, len(lines)))
    alone = all(not text or text.startswith("#") for text in rest)
    return Question(inspect.cleandoc(value).strip(), "docstring", end_line, alone)


def selected(lines: Sequence[str], span: lsp.Range) -> Question | None:
    """The question in the selected text: comment markers and surrounding quotes removed."""
    if span.start == span.end:
        return None
    text = _text_in(lines, span)
    try:
        value = ast.literal_eval(text.strip())
        if isinstance(value, str):
            text = value
    except (ValueError, TypeError, SyntaxError, MemoryError, RecursionError):  # TypeError: {[1]: 2}
        pass
    kept = [line.strip().lstrip("#").strip() for line in text.splitlines()]
    question = "\n".join(line for line in kept if line).strip()
    if not question or len(question) > MAX_QUESTION_CHARS:
        return None
    end_line = span.end.line - (1 if span.end.character == 0 and span.end.line > span.start.line else 0)
    return Question(question, "selection", end_line)


def find(lines: Sequence[str], span: lsp.Range | None) -> Question | None:
    """The selected question, else the docstring."""
    return (selected(lines, span) if span is not None else None) or docstring(lines)


def offered(lines: Sequence[str], span: lsp.Range | None) -> Question | None:
    """The question the code action is offered for: a selection, or a file that is only a question."""
    if span is not None and (found := selected(lines, span)) is not None:
        return found
    found = docstring(lines)
    return found if found is not None and found.alone else None


def below(lines: Sequence[str], end_line: int, program: str) -> lsp.TextEdit:
    """The edit inserting `program` under line `end_line`, a blank line before it (and after it when
    code follows)."""
    after = end_line + 1
    if after < len(lines):
        follows = positions.line_text(lines, after + 1).strip() != ""
        where = lsp.Position(after, 0)
        return lsp.TextEdit(lsp.Range(where, where), "\n" + program + ("\n" if follows else ""))
    last = lines[end_line] if end_line < len(lines) else ""
    if last.endswith(("\n", "\r")):
        where = lsp.Position(len(lines), 0)
        return lsp.TextEdit(lsp.Range(where, where), "\n" + program)
    where = lsp.Position(end_line, positions.utf16_length(positions.line_text(lines, end_line + 1)))
    return lsp.TextEdit(lsp.Range(where, where), "\n\n" + program)


def new_file(question: str, directory: Path) -> Path:
    """A new file for the question's program (`how-many-fruits.coc.py`), never one that exists."""
    return default_path(question, directory)


def new_file_text(question: str, program: str) -> str:
    return with_question(question, program)


def _text_in(lines: Sequence[str], span: lsp.Range) -> str:
    start, end = span.start, span.end
    if start.line >= len(lines):
        return ""
    pieces = []
    for number in range(start.line, min(end.line, len(lines) - 1) + 1):
        text = positions.line_text(lines, number + 1)
        first = positions.utf16_to_char(text, start.character) if number == start.line else 0
        last = positions.utf16_to_char(text, end.character) if number == end.line else len(text)
        pieces.append(text[first:last])
    return "\n".join(pieces)
