"""The one place that converts positions.

Program side (the trace, static findings, the rewrite's sites): lines 1-based; columns 0-based,
counted in characters (code points). LSP side: lines 0-based, columns in UTF-16 code units: the server always uses the
LSP default position encoding (protocol.py keeps pygls from negotiating another one).

`lines` are a document's lines as split by `coc_lsp.program.parse.split_lines`, with or without
their line breaks.
"""

from __future__ import annotations

from collections.abc import Sequence

from lsprotocol import types as lsp


def char_to_utf16(line_text: str, col: int) -> int:
    """The UTF-16 column of character column `col` in `line_text` (clamped to the line)."""
    col = max(0, min(col, len(line_text)))
    if line_text.isascii():
        return col
    return len(line_text[:col].encode("utf-16-le", errors="surrogatepass")) // 2


def utf16_to_char(line_text: str, utf16_col: int) -> int:
    """The character column of the UTF-16 column `utf16_col` in `line_text` (clamped)."""
    if line_text.isascii():
        return max(0, min(utf16_col, len(line_text)))
    encoded = line_text.encode("utf-16-le", errors="surrogatepass")[: 2 * max(utf16_col, 0)]
    return len(encoded.decode("utf-16-le", errors="ignore"))


def utf16_length(text: str) -> int:
    return len(text) if text.isascii() else len(text.encode("utf-16-le", errors="surrogatepass")) // 2


def line_text(lines: Sequence[str], line: int) -> str:
    """Text of the 1-based `line` without its line break ("" past the end)."""
    if 1 <= line <= len(lines):
        return lines[line - 1].rstrip("\r\n")
    return ""


def lsp_position(lines: Sequence[str], line: int, col: int) -> lsp.Position:
    """LSP position of the 1-based `line` and character column `col`."""
    return lsp.Position(line=max(line - 1, 0), character=char_to_utf16(line_text(lines, line), col))


def lsp_range(lines: Sequence[str], line: int, col: int, end_line: int, end_col: int) -> lsp.Range:
    return lsp.Range(lsp_position(lines, line, col), lsp_position(lines, end_line, end_col))


def line_end(lines: Sequence[str], line: int) -> lsp.Position:
    """LSP position just after the code of the 1-based `line` (trailing spaces excluded)."""
    return lsp.Position(line=max(line - 1, 0), character=utf16_length(line_text(lines, line).rstrip()))


def line_range(lines: Sequence[str], line: int) -> lsp.Range:
    """The code of the 1-based `line`, from its first non-blank character to its end."""
    text = line_text(lines, line)
    indent = len(text) - len(text.lstrip())
    return lsp.Range(lsp.Position(line=max(line - 1, 0), character=indent), line_end(lines, line))


def code_extent(text: str) -> tuple[int, int]:
    """UTF-16 columns where the code of a line starts and ends (indentation and trailing spaces
    excluded)."""
    stripped = text.rstrip()
    return utf16_length(stripped) - utf16_length(stripped.lstrip()), utf16_length(stripped)


def program_line(position: lsp.Position) -> int:
    """The 1-based program line of an LSP position."""
    return position.line + 1
