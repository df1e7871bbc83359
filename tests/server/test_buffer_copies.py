"""Unsaved buffers run from a private copy outside the user's folder (issue 11, case 5)."""

from __future__ import annotations

import asyncio
import os
import signal
from pathlib import Path

import pytest

from tests.server.conftest import SETTINGS
from tests.server.helpers import field, open_document, run, start, wait_for
from tests.server.processes import ENDLESS, own_server

BUFFER = """\
import os
from helper import double
flag = is_sarcastic('Great')
answer = (double(2), sorted(n for n in os.listdir('.') if not n.startswith('__')), flag)
"""


async def test_unsaved_buffer_runs_with_its_folder_and_leaves_nothing(client, tmp_path):
    (tmp_path / "helper.py").write_text("def double(x):\n    return 2 * x\n")
    (tmp_path / "coc.toml").write_text('backend = "scripted_backend:make"\n')
    client.set_configuration({k: v for k, v in SETTINGS.items() if k != "backend"}, section="coc")
    path = tmp_path / "s.coc.py"
    path.write_text("answer = 0\n")
    uri = open_document(client, path, BUFFER, save=False)
    result = await run(client, uri)
    # Sibling imports work, the folder's coc.toml chose the backend, and the program saw no copy.
    assert field(result, "status") == "ok", field(result, "error")
    assert field(result, "answer") == "(4, ['coc.toml', 'helper.py', 's.coc.py'], True)"
    assert field(result, "backend") == "custom backend scripted_backend:make"
    assert sorted(p.name for p in tmp_path.iterdir() if not p.name.startswith("__")) == [
        "coc.toml",
        "helper.py",
        "s.coc.py",
    ]


async def test_messages_name_the_document_not_the_copy(client, tmp_path):
    path = tmp_path / "s.coc.py"
    path.write_text("answer = 0\n")
    uri = open_document(client, path, "x = 1\nraise ValueError('bad input')\n", save=False)
    result = await run(client, uri)
    assert field(result, "status") == "error"
    assert f"{path}:2" in field(result, "error") and "coc-lsp-buffer" not in field(result, "error")


@pytest.mark.parametrize("line_break", ["\r\n", "\r"])
async def test_a_saved_file_with_other_line_breaks_runs_itself_not_a_copy(client, tmp_path, line_break):
    (tmp_path / "data.txt").write_text("beside")
    text = line_break.join(["from pathlib import Path", "answer = Path(__file__).with_name('data.txt').read_text()", ""])
    uri = open_document(client, tmp_path / "s.coc.py", text)  # saved: the file holds this very text
    result = await run(client, uri)
    assert field(result, "status") == "ok", field(result, "error")
    assert field(result, "answer") == "'beside'"


async def test_a_pipe_at_the_documents_path_is_never_read(client, tmp_path):
    path = tmp_path / "p.coc.py"
    os.mkfifo(path)
    try:
        uri = open_document(client, path, "answer = 6 * 7\n", save=False)
        result = await asyncio.wait_for(run(client, uri), 30)  # the buffer runs, as a copy
        assert field(result, "status") == "ok" and field(result, "answer") == "42"
    finally:
        try:
            os.close(os.open(path, os.O_WRONLY | os.O_NONBLOCK))  # a reader still waiting gets EOF
        except OSError:  # no reader (ENXIO): nothing waits on it
            pass


@pytest.mark.parametrize("how", ["SIGKILL", "SIGTERM", "end of input"])
async def test_the_copy_goes_when_the_server_dies(tmp_path, how):
    async with own_server() as (client, process):
        path = tmp_path / "s.coc.py"
        path.write_text("answer = 0\n")
        text = f"with open('copy.txt', 'w') as out:\n    out.write(__file__ + '\\n')\n{ENDLESS}\n"
        uri = open_document(client, path, text, save=False)
        await start(client, uri)
        written = tmp_path / "copy.txt"
        await wait_for(lambda: written.exists() and written.read_text().endswith("\n"), 30)
        copy = Path(written.read_text().strip())
        assert copy.parent != tmp_path and copy.exists()
        if how == "end of input":
            assert process.stdin is not None
            process.stdin.close()
        else:
            os.kill(process.pid, getattr(signal, how))
        await asyncio.wait_for(process.wait(), 15)
        await wait_for(lambda: not copy.parent.exists(), 15)
        assert sorted(p.name for p in tmp_path.iterdir()) == ["copy.txt", "s.coc.py"]
