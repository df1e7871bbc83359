"""Pinned answers over stdio: "Pin this answer", "Edit emulated value…", "Unpin" write
`prog.coc.answers.json` beside the program, which the next runs (the server's, `coc run`) use."""

from __future__ import annotations

import asyncio
import json
import os
import stat
import subprocess
import sys
from pathlib import Path

import pytest
from lsprotocol import types as lsp
from pygls.exceptions import JsonRpcException

from tests.server.conftest import SERVER_ENV
from tests.server.helpers import change, field, hints, open_document, run
from tests.server.test_actions import actions_at

PROGRAM = """\
s = "Great, another Monday."
flag = is_sarcastic(s)
n = count the words in s
answer = (flag, n)
"""


async def execute(client, command: str, *args):
    return await client.workspace_execute_command_async(lsp.ExecuteCommandParams(command=command, arguments=list(args)))


def hint_on(found: list[lsp.InlayHint], line: int) -> str:
    (label,) = [h.label for h in found if h.position.line == line]
    return str(label)


def pins(path: Path) -> list[dict]:
    return json.loads(path.read_text())["answers"]


async def test_pin_this_answer_writes_the_file_and_the_next_run_uses_it(client, tmp_path):
    uri = open_document(client, tmp_path / "p.coc.py", PROGRAM)
    await run(client, uri)
    assert hint_on(await hints(client, uri), 1) == "→ True"
    found = {a.title: a for a in await actions_at(client, uri, 1, 10)}
    assert "Edit emulated value…" not in found  # this client has no input box: executeCommand instead
    pin = found["Pin this answer"].command
    assert (pin.command, list(pin.arguments)) == ("coc.pinAnswer", [uri, 1, 10])
    reply = await execute(client, pin.command, *pin.arguments)
    answers = tmp_path / "p.coc.answers.json"
    assert field(reply, "file") == str(answers) and field(reply, "pinned") == 1
    (entry,) = pins(answers)
    assert entry == {
        "scope": "<module>", "source": "is_sarcastic(s)", "sees": {"args": ["'Great, another Monday.'"], "kwargs": {}},
        "value": "True", "pinned": True, "function": "is_sarcastic", "line": 2,
    }
    assert hint_on(await hints(client, uri), 1) == "📌 → True"
    finished = await run(client, uri)
    assert field(finished, "lmCalls") == 1 and field(finished, "cacheHits") == 1  # the pin answered, the LM only line 3
    assert hint_on(await hints(client, uri), 1) == "📌 → True"
    hover = await client.text_document_hover_async(lsp.HoverParams(lsp.TextDocumentIdentifier(uri), lsp.Position(1, 10)))
    assert "📌 Pinned" in hover.contents.value
    assert {a.title for a in await actions_at(client, uri, 1, 10)} >= {"Unpin"}
    await run(client, uri, "coc.clearResults")
    assert pins(answers) == [entry]  # clearing results never removes pins


async def test_edit_emulated_value_is_checked_then_pinned_and_coc_run_uses_it(client, tmp_path):
    program = tmp_path / "p.coc.py"
    uri = open_document(client, program, PROGRAM)
    await run(client, uri)
    answers = tmp_path / "p.coc.answers.json"
    with pytest.raises(JsonRpcException, match=r"p\.coc\.py:2: the value does not fit: .*bool"):
        await execute(client, "coc.editEmulatedValue", uri, 1, 10, "'maybe'")
    with pytest.raises(JsonRpcException, match=r"p\.coc\.py:3: 'three words' is not a Python literal"):
        await execute(client, "coc.editEmulatedValue", uri, 2, 4, "three words")
    assert not answers.exists()  # nothing written for a bad value
    await execute(client, "coc.editEmulatedValue", uri, 1, 10, "False")
    await execute(client, "coc.editEmulatedValue", uri, 2, 4, "4")  # a line's one target: its value
    assert [(e["source"], e["value"]) for e in pins(answers)] == [("is_sarcastic(s)", "False"), ("n = count the words in s", "{'n': 4}")]
    found = await hints(client, uri)
    assert (hint_on(found, 1), hint_on(found, 2)) == ("📌 → False", "📌 n = 4")
    finished = await run(client, uri)
    assert field(finished, "lmCalls") == 0 and field(finished, "answer") == "(False, 4)"
    cli = subprocess.run(
        [sys.executable, "-m", "coc_lsp", "run", str(program), "--no-cache", "--backend", "scripted_backend:make"],
        capture_output=True, text=True, env=SERVER_ENV, timeout=60,
    )
    assert cli.returncode == 0 and "answer = (False, 4)" in cli.stderr, cli.stderr


async def test_unpin_removes_the_pin_and_the_empty_file(client, tmp_path):
    uri = open_document(client, tmp_path / "p.coc.py", PROGRAM)
    await run(client, uri)
    await execute(client, "coc.editEmulatedValue", uri, 1, 10, "False")
    await run(client, uri)
    answers = tmp_path / "p.coc.answers.json"
    reply = await execute(client, "coc.unpinAnswer", uri, 1, 10)
    assert field(reply, "removed") == 1 and not answers.exists()
    assert hint_on(await hints(client, uri), 1) == "→ False"  # the old value, no longer pinned
    await run(client, uri)
    assert hint_on(await hints(client, uri), 1) == "→ True"  # the LM's answer again


async def test_an_unsaved_buffer_runs_with_the_pins_beside_its_file(client, tmp_path):
    uri = open_document(client, tmp_path / "p.coc.py", PROGRAM)
    await run(client, uri)
    await execute(client, "coc.editEmulatedValue", uri, 1, 10, "False")
    change(client, uri, 2, (3, 0), (3, 0), "# edited, not saved\n")
    finished = await run(client, uri)
    assert field(finished, "answer") == "(False, 3)"


async def test_a_broken_answers_file_is_named_and_left_alone(client, tmp_path):
    uri = open_document(client, tmp_path / "p.coc.py", PROGRAM)
    await run(client, uri)
    answers = tmp_path / "p.coc.answers.json"
    answers.write_text("{broken")
    with pytest.raises(JsonRpcException, match=r"p\.coc\.answers\.json:1: not JSON"):
        await execute(client, "coc.pinAnswer", uri, 1, 10)
    assert answers.read_text() == "{broken"


async def test_a_pipe_where_the_answers_file_should_be_is_named_and_never_waited_on(client, tmp_path):
    uri = open_document(client, tmp_path / "p.coc.py", PROGRAM)
    await run(client, uri)
    answers = tmp_path / "p.coc.answers.json"
    os.mkfifo(answers)
    try:
        with pytest.raises(JsonRpcException, match=r"p\.coc\.answers\.json: not a regular file .* nothing was written"):
            await asyncio.wait_for(execute(client, "coc.pinAnswer", uri, 1, 10), 15)
        finished = await run(client, uri)  # `coc run` reads the pins beside the program
        assert field(finished, "status") == "crashed" and f"{answers}: not a regular file" in field(finished, "error")
    finally:
        try:
            os.close(os.open(answers, os.O_WRONLY | os.O_NONBLOCK))  # a reader still waiting gets EOF
        except OSError:  # no reader (ENXIO): nothing waits on it
            pass


async def test_pinning_through_a_symlink_writes_its_target_and_keeps_the_link(client, tmp_path):
    uri = open_document(client, tmp_path / "p.coc.py", PROGRAM)
    await run(client, uri)
    shared = tmp_path / "shared"
    shared.mkdir()
    target = shared / "answers.json"
    target.write_text(json.dumps({"coc_answers": 1, "answers": []}))
    link = tmp_path / "p.coc.answers.json"
    link.symlink_to(target)
    await execute(client, "coc.editEmulatedValue", uri, 1, 10, "False")
    assert link.is_symlink() and [e["value"] for e in pins(target)] == ["False"]
    await execute(client, "coc.unpinAnswer", uri, 1, 10)  # the last pin: the link stays, its target empties
    assert link.is_symlink() and pins(target) == []


async def test_pinning_keeps_the_answers_files_mode(client, tmp_path):
    uri = open_document(client, tmp_path / "p.coc.py", PROGRAM)
    await run(client, uri)
    path = tmp_path / "p.coc.answers.json"
    await execute(client, "coc.pinAnswer", uri, 1, 10)
    assert stat.S_IMODE(path.stat().st_mode) == 0o666 & ~current_umask()  # as a new file would be
    path.chmod(0o640)
    await execute(client, "coc.editEmulatedValue", uri, 1, 10, "False")
    assert stat.S_IMODE(path.stat().st_mode) == 0o640


def current_umask() -> int:
    mask = os.umask(0)
    os.umask(mask)
    return mask


async def test_positions_out_of_range_are_invalid_params_not_internal_errors(client, tmp_path):
    uri = open_document(client, tmp_path / "p.coc.py", PROGRAM)
    await run(client, uri)
    for command, extra in [("coc.pinAnswer", ()), ("coc.editEmulatedValue", ("False",)), ("coc.unpinAnswer", ())]:
        for line, character in [(-1, 10), (1, -3), (2**40, 0)]:
            with pytest.raises(JsonRpcException, match=r"expected \[uri, line, character\]") as caught:
                await execute(client, command, uri, line, character, *extra)
            assert caught.value.code == -32602
    assert not (tmp_path / "p.coc.answers.json").exists()
