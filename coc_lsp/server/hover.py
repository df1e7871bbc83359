"""Hover on an emulated call or line: what the LM was asked, what it answered, what was used.

Markdown for clients that render it; plain text for those whose `hover.contentFormat` leaves
markdown out.
"""

from __future__ import annotations

import re
from collections.abc import Sequence

from lsprotocol import types as lsp

from coc_lsp.runtime.trace import Emulation
from coc_lsp.server import positions
from coc_lsp.server.diagnostics import emulation_range, trigger_text
from coc_lsp.server.pins import UNPINNED_ORIGIN, is_pinned
from coc_lsp.server.results import RunResults

_BACKTICKS = re.compile("`+")
_LINE_BREAK = re.compile(r"\r\n|\r|\n")

SHOWN_RUNS = 5


def wants_markdown(capabilities: lsp.ClientCapabilities) -> bool:
    """Whether the client renders markdown in hovers (the default when it does not say)."""
    hover_caps = capabilities.text_document.hover if capabilities.text_document is not None else None
    formats = hover_caps.content_format if hover_caps is not None else None
    return not formats or lsp.MarkupKind.Markdown in formats


def hover(
    lines: Sequence[str], results: RunResults | None, position: lsp.Position, markdown: bool = True
) -> lsp.Hover | None:
    if results is None:
        return None
    group = emulations_at(lines, results, position)
    if not group:
        return None
    first = group[0]
    style = _Markdown() if markdown else _Plain()
    parts = [f"{style.bold('Emulated by the LM')} — {first.kind}, because {trigger_text(first, style.quote)}"]
    if len(group) > 1:
        parts.append(f"Ran {len(group)}×; the first {min(len(group), SHOWN_RUNS)} shown.")
    for number, emulation in enumerate(group[:SHOWN_RUNS], 1):
        parts.append(style.rows(run_rows(emulation, number if len(group) > 1 else None, style)))
    kind = lsp.MarkupKind.Markdown if markdown else lsp.MarkupKind.PlainText
    return lsp.Hover(
        contents=lsp.MarkupContent(kind=kind, value="\n\n".join(parts)), range=emulation_range(lines, first)
    )


def emulations_at(lines: Sequence[str], results: RunResults, position: lsp.Position) -> list[Emulation]:
    """The emulations of the innermost site under `position` (a call before its line)."""
    line = positions.program_line(position)
    text = positions.line_text(lines, line)
    col = positions.utf16_to_char(text, position.character)
    groups = [g for (site_line, _), g in results.by_site().items() if site_line <= line <= g[0].end_line]
    calls = [
        g
        for g in groups
        if g[0].is_span and (g[0].line, g[0].col) <= (line, col) <= (g[0].end_line, g[0].end_col)
    ]
    if calls:
        return min(calls, key=lambda g: (g[0].end_line - g[0].line, g[0].end_col - g[0].col))
    lines_only = [g for g in groups if not g[0].is_span]
    return lines_only[0] if lines_only else []


class _Markdown:
    quote = "`"

    def bold(self, text: str) -> str:
        return f"**{text}**"

    def code(self, text: str) -> str:
        """`text` as a CommonMark code span, which nothing in it can end: values come from the LM
        and the program's data, and a link or an image in them must show as text."""
        text = _LINE_BREAK.sub(" ", text)  # a blank line would end the span's paragraph
        fence = "`" * (max(map(len, _BACKTICKS.findall(text)), default=0) + 1)
        pad = " " if text[:1] == "`" or text[-1:] == "`" or (text[:1] == text[-1:] == " " and text.strip()) else ""
        return f"{fence}{pad}{text}{pad}{fence}"

    def block(self, text: str) -> str:
        return "```\n" + text.replace("```", "'''") + "\n```"

    def rows(self, rows: list[str]) -> str:
        return "  \n".join(rows)


class _Plain(_Markdown):
    quote = ""

    def code(self, text: str) -> str:
        return text

    def bold(self, text: str) -> str:
        return text

    def block(self, text: str) -> str:
        return "\n".join("    " + line for line in text.split("\n"))

    def rows(self, rows: list[str]) -> str:
        return "\n".join(rows)


def run_rows(emulation: Emulation, number: int | None, style: _Markdown) -> list[str]:
    request = emulation.request
    rows = []
    if number is not None:
        rows.append(style.bold(f"Run {number}"))
    if emulation.kind == "call":
        args = ", ".join([*request.args, *(f"{k}={v}" for k, v in request.kwargs.items())])
        rows.append("Request: " + style.code(f"{emulation.function}({args})"))
    else:
        rows.append(f"Request: {style.code(emulation.source)}")
    if request.targets:
        rows.append("Targets: " + ", ".join(style.code(t) for t in request.targets))
    if request.returns:
        rows.append(f"Returns: {style.code(request.returns)}")
    if request.error:
        rows.append(f"Python's error: {style.code(request.error)}")
    rows.append("Raw answer:\n" + style.block(emulation.raw))
    if emulation.kind in ("call", "expression"):
        rows.append(f"Value: {style.code(str(emulation.value))}")
    else:
        values = ", ".join(f"{k} = {v}" for k, v in (emulation.values or {}).items()) or "(none)"
        rows.append(f"Values: {style.code(values)}")
    if is_pinned(emulation):
        rows.append("📌 Pinned: read from the program's answers file (.coc.answers.json), never asked of the LM")
    elif emulation.origin == UNPINNED_ORIGIN:
        rows.append("Unpinned: the next run asks the cache or the LM")
    else:
        rows.append(f"Cache hit: {'yes' if emulation.cached else 'no'} · latency {emulation.latency_ms:.0f} ms")
    return rows
