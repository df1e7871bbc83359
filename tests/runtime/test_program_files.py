"""Program files as editors and tools leave them: a byte order mark, other line breaks, bytes that
are not UTF-8, NUL bytes. `coc run` reads them as Python would, or says which line is wrong."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.runtime.test_cli import coc


@pytest.mark.parametrize("mode", ["python", "interweave"])
@pytest.mark.parametrize(
    ("content", "line", "message"),
    [
        (b"x = 1\nprint('ran')\nname = 'caf\xe9'\n", 3, "not UTF-8: byte b'\\xe9'"),
        (b"\xef\xbb\xbfx = 1\r\nprint('ran')\r\n\xff\r\n", 3, "not UTF-8: byte b'\\xff'"),
        (b"x = 1\nprint('ran')\ny = 2\x00\n", 3, "source code cannot contain null bytes"),
    ],
    ids=["latin-1", "bom and crlf", "nul"],
)
def test_unreadable_source_is_a_syntax_error_naming_the_line(tmp_path: Path, mode: str, content: bytes, line: int, message: str) -> None:
    program = tmp_path / "p.coc.py"
    program.write_bytes(content)
    result = coc(str(program), "--mode", mode)
    assert result.returncode == 1 and "ran" not in result.stdout
    assert f"{program}:{line}: SyntaxError: {message}" in result.stderr
    assert "Traceback" not in result.stderr


@pytest.mark.parametrize(
    "content",
    [b"\xef\xbb\xbfimport math\nanswer = math.floor(2.5)\n", b"import math\r\nx = 2.5\ranswer = math.floor(x)\r\n"],
    ids=["bom", "crlf and lone cr"],
)
def test_a_byte_order_mark_and_any_line_break_run_as_python_runs_them(tmp_path: Path, content: bytes) -> None:
    program = tmp_path / "p.coc.py"
    program.write_bytes(content)
    result = coc(str(program), "--backend", "no_such_backend_module:make")  # a line sent to the LM would fail
    assert result.returncode == 0, result.stderr
    assert "coc: answer = 2" in result.stderr and "0 emulations" in result.stderr
