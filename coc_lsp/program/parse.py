"""Lines and tolerant parsing: a hybrid program whose pseudo-code lines are not Python still parses.

The one place that knows the line structure of a program (`split_lines`, `scan_lines`,
`split_comment`), used by the rewrite, the editor's static findings and the language server.

A line is pseudo-code only when it does not parse as Python: a file CPython parses has no pseudo
lines at all (one `ast.parse`, nothing else). Otherwise each statement that fits on one line and
does not parse on its own (headers are tried with a body) is read as pseudo-code (`classify`): its
text is set aside and the line replaced by a placeholder of the same line number, so every other
position stays exact. Lines that look like broken Python rather than prose (a `def` without its
colon, an unclosed bracket, bad indentation) are not absorbed: the first such error is raised.

Prose may hold apostrophes (`the pet's name`): to the scanner, a quote right after a letter that
does not start a string (`f'..'`, `rb'..'` do) is an apostrophe, never valid Python anyway.
"""

from __future__ import annotations

import ast
import codecs
import keyword
import os
import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Literal

PLACEHOLDER = "_coc_pseudo_"

Form = Literal["assign", "if", "elif", "while", "for", "return", "statement"]

# Lines starting with these keywords are Python statements: an error on them is a real syntax error.
_STATEMENT_KEYWORDS = frozenset(keyword.kwlist) - {"if", "elif", "while", "for", "return", "not"}
_HEADER = re.compile(r"(if|elif|while)\s+(?P<expr>.+?)\s*:$")
_FOR = re.compile(r"for\s+(?P<target>.+?)\s+in\s+(?P<expr>.+?)\s*:$")
_RETURN = re.compile(r"return\s+(?P<expr>.+)$")
_ASSIGN = re.compile(r"(?P<target>[^=]+?)\s*=(?!=)\s*(?P<expr>.+)$")
_LINE_BREAK = re.compile(r"\r\n|\r|\n")
_UNPARSABLE = re.compile("[\0\ud800-\udfff]")
_LINES_KEEPENDS = re.compile(r"[^\r\n]*(?:\r\n|\r|\n)|[^\r\n]+$")
_STRING_PREFIXES = frozenset({"r", "u", "f", "b", "br", "rb", "fr", "rf"})
_OPENERS, _CLOSERS = "([{", ")]}"
# A line at column 0 that starts a definition or an import: a new statement even after an
# unclosed bracket (the error is the previous statement's), so one typo does not swallow the file.
_RESTART = re.compile(r"(def|class|async\s+def|import|from)\s|@")


def split_lines(text: str, keepends: bool = False) -> list[str]:
    """The lines of `text` as Python and LSP count them: broken at \\n, \\r\\n and \\r only.

    `str.splitlines()` also breaks at form feeds, U+2028, U+0085 and other characters that are
    not line breaks to Python's tokenizer or to LSP clients, which would move every later
    position. Like splitlines(), a final line break does not start an empty last line."""
    if keepends:
        return _LINES_KEEPENDS.findall(text)
    lines = _LINE_BREAK.split(text)
    if lines and lines[-1] == "":
        lines.pop()
    return lines


@dataclass(frozen=True)
class LineInfo:
    """What the scanner knows of one physical line. `starts`: a logical line (a statement) starts
    here; `continues`: the logical line goes on to the next physical line (open brackets, an open
    triple-quoted string, a backslash); `code_end`: the index where its comment starts (or its
    length)."""

    starts: bool
    continues: bool
    code_end: int


def scan_lines(lines: list[str]) -> list[LineInfo]:
    """Line structure of a program: where statements start, where comments begin. Tolerant of
    what does not tokenize (apostrophes in prose, unclosed one-line strings)."""
    infos: list[LineInfo] = []
    depth = 0
    quote: str | None = None  # an open triple-quoted string
    continued = False
    for raw in lines:
        line = raw.rstrip("\r\n")
        if depth and quote is None and _RESTART.match(line):
            depth, continued = 0, False
        starts = quote is None and depth == 0 and not continued
        code_end = len(line)
        i = 0
        while i < len(line):
            if quote is not None:
                end = _string_end(line, i, quote)
                if end < 0:
                    i = len(line)
                    break
                i, quote = end, None
                continue
            ch = line[i]
            if ch == "#":
                code_end = i
                break
            if ch in "\"'":
                opening = line[i : i + 3] if line[i : i + 3] in ('"""', "'''") else ch
                if len(opening) == 1 and _is_apostrophe(line, i):
                    i += 1
                    continue
                end = _string_end(line, i + len(opening), opening)
                if end < 0:
                    if len(opening) == 3:
                        quote = opening
                    i = len(line)  # an unclosed one-line string ends with its line
                    break
                i = end
                continue
            if ch in _OPENERS:
                depth += 1
            elif ch in _CLOSERS:
                depth = max(0, depth - 1)
            i += 1
        continued = quote is None and line[:code_end].endswith("\\")
        infos.append(LineInfo(starts, quote is not None or depth > 0 or continued, code_end))
    return infos


def _string_end(line: str, start: int, quote: str) -> int:
    """Index just after the closing `quote` at or after `start`, or -1 when the line has none."""
    i = start
    while i < len(line):
        if line[i] == "\\":
            i += 2
            continue
        if line.startswith(quote, i):
            return i + len(quote)
        i += 1
    return -1


def _is_apostrophe(line: str, i: int) -> bool:
    """A quote right after a word character that is not a string prefix (`pet's`, not `f'x'`)."""
    if i == 0 or not (line[i - 1].isalnum() or line[i - 1] == "_"):
        return False
    word = re.search(r"\w+$", line[:i])
    return word is None or word.group().lower() not in _STRING_PREFIXES


def split_comment(line: str) -> tuple[str, str]:
    """Split one physical line into (code, comment text) at the first `#` outside a string."""
    line = line.rstrip("\r\n")
    if "#" not in line:
        return line, ""
    end = scan_lines([line])[0].code_end
    return line[:end], line[end + 1 :].strip()


@dataclass(frozen=True)
class PseudoLine:
    """One line of pseudo-code. `lineno` is 1-based, `col`/`end_col` 0-based characters."""

    lineno: int
    col: int
    end_col: int
    text: str  # the line's code, without indentation and trailing comment
    form: Form
    expr: str  # the part the LM emulates: the whole line, or the test/iterable/value
    target: str = ""  # assignment target or for-loop target, as written


@dataclass
class ParsedProgram:
    source: str
    tree: ast.Module
    pseudo: dict[int, PseudoLine] = field(default_factory=dict)
    lines: list[str] = field(default_factory=list)  # split_lines(source)

    def __post_init__(self) -> None:
        if not self.lines:
            self.lines = split_lines(self.source)


def _balanced(text: str) -> bool:
    """True when the brackets and strings of a one-line `text` close on the line itself."""
    return not scan_lines([text])[0].continues


def _is_target(text: str) -> bool:
    try:
        node = ast.parse(text.strip(), mode="eval").body
    except SyntaxError:
        return False
    return _valid_target(node)


def _valid_target(node: ast.expr) -> bool:
    if isinstance(node, (ast.Name, ast.Attribute, ast.Subscript)):
        return True
    if isinstance(node, (ast.Tuple, ast.List)):
        return all(_valid_target(e) for e in node.elts)
    return False


def _parses_alone(text: str) -> bool:
    """Does one line of code parse as a Python statement on its own (a header with a body)?"""
    if text.endswith(":"):
        text = (f"if 0:\n pass\n{text}" if text.startswith("elif") else text) + "\n pass"
    try:
        ast.parse(text)
    except (SyntaxError, ValueError):
        return False
    return True


def classify(line: str, lineno: int) -> tuple[PseudoLine, str] | None:
    """Read `line` as pseudo-code: (what it is, the Python text that replaces it), or None when it
    cannot be pseudo-code (empty, a keyword statement, an unclosed bracket, symbol soup)."""
    code, _comment = split_comment(line)
    text = code.strip()
    indent = code[: len(code) - len(code.lstrip())]
    if not text or not _balanced(text):
        return None
    first = re.match(r"[A-Za-z_]\w*", text)
    if text.startswith("@") or (first and first.group() in _STATEMENT_KEYWORDS):
        return None
    col, end_col = len(indent), len(indent) + len(text)

    def make(form: Form, expr: str, target: str, replacement: str) -> tuple[PseudoLine, str]:
        pseudo = PseudoLine(lineno, col, end_col, text, form, expr.strip(), target.strip())
        return pseudo, indent + replacement

    if m := _HEADER.fullmatch(text):
        kw = m.group(1)
        return make(kw, m["expr"], "", f"{kw} {PLACEHOLDER}:")  # type: ignore[arg-type]
    if m := _FOR.fullmatch(text):
        if not _is_target(m["target"]):
            return None
        return make("for", m["expr"], m["target"], f"for {m['target'].strip()} in {PLACEHOLDER}:")
    if text.endswith(":"):
        return None  # a block header we cannot read as pseudo-code
    if m := _RETURN.fullmatch(text):
        return make("return", m["expr"], "", f"return {PLACEHOLDER}")
    if (m := _ASSIGN.fullmatch(text)) and _is_target(m["target"]):
        return make("assign", m["expr"], m["target"], f"{m['target'].strip()} = {PLACEHOLDER}")
    if len(re.findall(r"[A-Za-z]\w*", text)) < 2:
        return None  # a lone word or symbol soup is a typo, not a description
    return make("statement", text, "", "pass")


def read_program(path: str | os.PathLike[str]) -> str:
    """A program file's text as Python reads it: UTF-8, a byte order mark dropped, line breaks as
    "\n". SyntaxError naming the line, as Python's own, for bytes that are not UTF-8 or a NUL."""
    data = Path(path).read_bytes()
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as error:
        start = error.start + (3 if data.startswith(codecs.BOM_UTF8) else 0)
        line = data[:start].decode("utf-8", "replace")
        raise SyntaxError(
            f"not UTF-8: byte {data[start:start + 1]!r} (a .coc.py file is read as UTF-8; save it so)",
            (str(path), len(split_lines(line + "x")), len(split_lines(line + "x")[-1]), None),
        ) from None
    text = _LINE_BREAK.sub("\n", text)
    _refuse_unparsable(text, str(path))
    return text


def _refuse_unparsable(source: str, filename: str) -> None:
    """SyntaxError at the first NUL or lone surrogate (text an editor sent may hold one), which
    CPython's parser refuses without a line (a NUL) or with a UnicodeEncodeError (a surrogate)."""
    found = _UNPARSABLE.search(source)
    if found is None:
        return
    before = split_lines(source[: found.start()] + "x")
    character = found.group()
    message = "source code cannot contain null bytes" if character == "\0" else f"a lone surrogate U+{ord(character):04X} is not text"
    raise SyntaxError(message, (filename, len(before), len(before[-1]), None))


def tolerant_parse(source: str, filename: str = "<program>") -> ParsedProgram:
    """Parse `source`, absorbing pseudo-code lines; raise the first real SyntaxError."""
    _refuse_unparsable(source, filename)
    try:
        return ParsedProgram(source, ast.parse(source, filename))
    except SyntaxError as error:
        first_error = error
    lines = split_lines(source, keepends=True)
    pseudo: dict[int, PseudoLine] = {}

    def absorb(found: tuple[PseudoLine, str]) -> None:
        line, replacement = found
        pseudo[line.lineno] = line
        old = lines[line.lineno - 1]
        lines[line.lineno - 1] = replacement + old[len(old.rstrip("\r\n")) :]

    for index, info in enumerate(scan_lines(lines)):
        if not info.starts or info.continues:
            continue  # only statements that fit on one line can be pseudo-code
        code = lines[index][: info.code_end].strip()
        if code and (found := classify(lines[index], index + 1)) is not None and not _parses_alone(code):
            absorb(found)
    while True:
        try:
            return ParsedProgram(source, ast.parse("".join(lines), filename), pseudo)
        except SyntaxError as error:
            lineno = error.lineno
            if (
                isinstance(error, IndentationError)
                or lineno is None
                or lineno in pseudo
                or lineno > len(lines)
                or (found := classify(lines[lineno - 1], lineno)) is None
            ):
                raise first_error from None
            absorb(found)
