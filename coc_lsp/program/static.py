"""Fast static findings for the editor: which calls and lines the LM will emulate, which lines are
real syntax errors. Pure analysis (no I/O); the language server runs it on every debounced edit.

`rewrite()` builds every emulation site and guard (about half a second for a 2,000-line file);
the editor needs only the static ones, after each edit, within 50 ms. Here the file is
split into top-level chunks (a statement starting at column 0 with everything indented under it),
each chunk goes through the same `tolerant_parse`, and per-chunk summaries are cached by chunk
text, so an edit re-parses one chunk. The names a chunk binds and calls are combined with
`program.analysis` rules: a call is emulated when no chunk binds its name and Python has no such
builtin, exactly as `analysis.semantic_functions` decides for the whole file.

Positions follow `ast`: lines 1-based, columns 0-based UTF-8 byte offsets (positions.py converts).
"""

from __future__ import annotations

import ast
import builtins
import re
from dataclasses import dataclass
from typing import Literal

from coc_lsp.program import analysis
from coc_lsp.program.parse import tolerant_parse

FindingKind = Literal["semantic-call", "pseudo-code", "syntax-error"]

_KNOWN = frozenset(dir(builtins)) | analysis.MODULE_NAMES
_SPECIAL = re.compile(r"\\.|\"\"\"|'''|[\"'#()\[\]{}]")
_CONTINUATION = re.compile(r"(else|elif|except|finally)\b|[)\]}]")
_RESTART = re.compile(r"(def|class|async\s+def|import|from)\s|@")
_UNCLOSED = ("never closed", "unterminated", "unexpected EOF", "EOF while")
_MAX_MERGES = 40
_CACHE_LIMIT = 20_000


@dataclass(frozen=True)
class Finding:
    kind: FindingKind
    line: int
    col: int
    end_line: int
    end_col: int
    message: str
    function: str | None = None


@dataclass(frozen=True)
class _Summary:
    """What one chunk holds, with lines relative to the chunk (1 = its first line)."""

    bound: frozenset[str] | None  # None after `from m import *`
    calls: tuple[tuple[str, int, int, int, int], ...]
    pseudo: tuple[tuple[int, int, int, str], ...]  # (line, col, end_col, text), byte columns
    error: tuple[int, int, str] | None  # (line, col, message)


@dataclass(frozen=True)
class StaticAnalysis:
    findings: list[Finding]
    # 1-based first lines of the top-level statements (where a stub may be inserted before).
    chunk_starts: list[int]
    semantic: frozenset[str]


_cache: dict[str, _Summary] = {}


def chunk_starts(lines: list[str]) -> list[int]:
    """0-based indexes of the lines that start a top-level statement."""
    starts: list[int] = []
    quote: str | None = None
    depth = 0
    continued = False
    after_decorator = False
    for index, line in enumerate(lines):
        first = line[:1]
        clean = quote is None and not continued
        if clean and first and not first.isspace() and first != "#":
            if depth and _RESTART.match(line):
                depth = 0
            if depth == 0 and not after_decorator and not _CONTINUATION.match(line):
                starts.append(index)
            after_decorator = first == "@"
        for match in _SPECIAL.finditer(line):
            token = match.group()
            if quote is not None:
                if token == quote:
                    quote = None
                continue
            if token == "#":
                break
            if token in ('"""', "'''", '"', "'"):
                quote = token
            elif token in "([{":
                depth += 1
            elif token in ")]}":
                depth = max(0, depth - 1)
        if quote in ('"', "'"):
            quote = None  # a one-line string left open: the parse reports it
        continued = line.rstrip("\r\n").endswith("\\")
    if not starts or starts[0] != 0:
        starts.insert(0, 0)
    return starts


def analyse(source: str) -> StaticAnalysis:
    lines = source.splitlines(keepends=True)
    starts = chunk_starts(lines)
    bounds = [*starts[1:], len(lines)]
    placed: list[tuple[int, _Summary]] = []  # (0-based first line, summary)
    index = 0
    while index < len(starts):
        begin, end = starts[index], bounds[index]
        summary = _summarise("".join(lines[begin:end]))
        merges = 0
        while summary.error and _unclosed(summary.error[2]) and index + 1 < len(starts) and merges < _MAX_MERGES:
            index += 1
            merges += 1
            end = bounds[index]
            summary = _summarise("".join(lines[begin:end]))
        placed.append((begin, summary))
        index += 1
    if len(_cache) > _CACHE_LIMIT:
        _cache.clear()

    bound: set[str] = set()
    star_import = False
    for _, summary in placed:
        if summary.bound is None:
            star_import = True
        else:
            bound |= summary.bound
    called = {call[0] for _, s in placed for call in s.calls}
    semantic = frozenset() if star_import else frozenset(called - bound - _KNOWN)

    findings: list[Finding] = []
    for begin, summary in placed:
        for name, line, col, end_line, end_col in summary.calls:
            if name in semantic:
                message = f"`{name}` is not defined in this file: the LM will emulate its calls"
                findings.append(Finding("semantic-call", begin + line, col, begin + end_line, end_col, message, name))
        for line, col, end_col, text in summary.pseudo:
            message = f"pseudo-code: the LM will emulate `{_short(text)}`"
            findings.append(Finding("pseudo-code", begin + line, col, begin + line, end_col, message))
        if summary.error:
            line, col, message = summary.error
            findings.append(Finding("syntax-error", begin + line, col, begin + line, col + 1, message))
    findings.sort(key=lambda f: (f.line, f.col))
    return StaticAnalysis(findings, [s + 1 for s in starts], semantic)


def _unclosed(message: str) -> bool:
    return any(part in message for part in _UNCLOSED)


def _short(text: str, limit: int = 60) -> str:
    return text if len(text) <= limit else text[: limit - 1] + "…"


def _summarise(chunk: str) -> _Summary:
    cached = _cache.get(chunk)
    if cached is None:
        cached = _cache[chunk] = _parse_chunk(chunk)
    return cached


def _parse_chunk(chunk: str) -> _Summary:
    try:
        parsed = tolerant_parse(chunk)
    except SyntaxError as error:
        line = error.lineno or 1
        col = max((error.offset or 1) - 1, 0)
        text = (error.text or "")[:col]
        return _Summary(frozenset(), (), (), (line, len(text.encode()), f"SyntaxError: {error.msg}"))
    names = analysis.bound_names(parsed.tree)
    calls = tuple(
        (node.func.id, node.lineno, node.col_offset, node.end_lineno or node.lineno, node.end_col_offset or 0)
        for node in ast.walk(parsed.tree)
        if isinstance(node, ast.Call) and isinstance(node.func, ast.Name) and node.func.id not in _KNOWN
    )
    chunk_lines = chunk.splitlines()
    pseudo = []
    for p in parsed.pseudo.values():
        line_text = chunk_lines[p.lineno - 1] if p.lineno <= len(chunk_lines) else ""
        col = len(line_text[: p.col].encode())
        pseudo.append((p.lineno, col, col + len(p.text.encode()), p.text))
    return _Summary(None if names is None else frozenset(names), calls, tuple(pseudo), None)
