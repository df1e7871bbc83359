"""The server ends with its client: an editor that quits mid-run closes the server's stdin and
stdout (Neovim sends `shutdown` first and does not wait for the reply). The server must exit, leave
no run supervisor or runner behind, and not need its last resort (language_server._run_bounded),
whose warning says a task did not end when cancelled.

The first case is the one that hung: the stream ends while the run's supervisor is being started.
asyncio.create_subprocess_exec, cancelled there together with asyncio's own task connecting the
child's pipes (the event loop's end cancels every task), waited for the child forever.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

import pytest

from coc_lsp.server.framing import Framer, Message
from tests.server.conftest import SERVER_ENV
from tests.server.processes import alive

PROGRAM = "x = slow_thing(1)\nanswer = x\n"  # the scripted LM takes COC_TEST_SLOW_S to answer
EXIT_BOUND_S = 30.0  # "does it end at all": the last resort alone ends it in about 5 s
GONE_BOUND_S = 15.0


def frame(method: str, params: Any, msg_id: int | None = None) -> bytes:
    message: dict[str, Any] = {"jsonrpc": "2.0", "method": method, "params": params}
    if msg_id is not None:
        message["id"] = msg_id
    body = json.dumps(message).encode()
    return f"Content-Length: {len(body)}\r\n\r\n".encode() + body


def reply(server: subprocess.Popen[bytes], msg_id: int) -> dict[str, Any]:
    assert server.stdout is not None
    framer = Framer()
    while chunk := os.read(server.stdout.fileno(), 65536):
        for found in framer.feed(chunk):
            message = json.loads(found.body) if isinstance(found, Message) else {}
            if message.get("id") == msg_id and "method" not in message:
                return message
    raise AssertionError(f"the server closed its stdout before answering request {msg_id}")


def coc_processes(server_pid: int, folder: Path) -> list[str]:
    """Live supervisors the server started and `coc run`s of a program in `folder`."""
    parent, inside = f"--parent\0{server_pid}\0".encode(), str(folder).encode()
    found = []
    for entry in os.listdir("/proc"):
        try:
            command = Path(f"/proc/{entry}/cmdline").read_bytes()
        except OSError:
            continue
        if (parent in command or (b"coc_lsp\0run\0" in command and inside in command)) and alive(int(entry)):
            found.append(entry + ": " + command.replace(b"\0", b" ").decode(errors="replace"))
    return found


def wait_until(predicate: Any, bound_s: float) -> None:
    deadline = time.monotonic() + bound_s
    while not predicate() and time.monotonic() < deadline:
        time.sleep(0.05)


@pytest.mark.parametrize("when", ["as the run starts", "after shutdown, as the run starts", "during the run"])
def test_the_server_exits_with_its_client_mid_run(tmp_path: Path, when: str) -> None:
    document, mark, log = tmp_path / "slow.coc.py", tmp_path / "slow-pids.txt", tmp_path / "server.log"
    document.write_text(PROGRAM, encoding="utf-8")
    # The server's settings come from workspace/configuration, which this client does not offer;
    # the folder's coc.toml is read by the run itself.
    (tmp_path / "coc.toml").write_text('backend = "scripted_backend:make"\nno_cache = true\n', encoding="utf-8")
    env = {**SERVER_ENV, "COC_TEST_SLOW_S": "60", "COC_TEST_SLOW_MARK": str(mark)}
    with open(log, "wb") as stderr:
        server = subprocess.Popen(
            [sys.executable, "-m", "coc_lsp", "lsp"],
            stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=stderr, env=env, cwd=tmp_path,
        )
    assert server.stdin is not None and server.stdout is not None
    try:
        # No workspace/configuration nor progress capability: nothing the run waits for from the
        # client, so it is starting its supervisor when the stream's end comes right after it.
        server.stdin.write(frame("initialize", {"processId": None, "rootUri": None, "capabilities": {}}, 1))
        server.stdin.flush()
        assert "result" in reply(server, 1)
        item = {"uri": document.as_uri(), "languageId": "python", "version": 1, "text": PROGRAM}
        server.stdin.write(frame("initialized", {}) + frame("textDocument/didOpen", {"textDocument": item}))
        run = frame("workspace/executeCommand", {"command": "coc.run", "arguments": [document.as_uri()]}, 2)
        if when == "during the run":
            server.stdin.write(run)
            server.stdin.flush()
            wait_until(lambda: mark.exists() and mark.read_text().endswith("\n"), 30)
            assert mark.exists(), "the program never reached its slow emulation"
            run = b""
        elif when.startswith("after shutdown"):
            run = frame("shutdown", None, 3) + run
        server.stdin.write(run)
        server.stdin.close()  # the editor quits: both ends of the stream close at once
        server.stdout.close()
        try:
            server.wait(EXIT_BOUND_S)
        except subprocess.TimeoutExpired:
            raise AssertionError(f"the server outlived its client; its log:\n{log.read_text()}") from None
        wait_until(lambda: not coc_processes(server.pid, tmp_path), GONE_BOUND_S)
        assert coc_processes(server.pid, tmp_path) == [], "a run's processes outlived the server"
        runners = [int(pid) for pid in mark.read_text().split()] if mark.exists() else []
        assert not any(alive(pid) for pid in runners)
        assert "did not end when cancelled" not in log.read_text(), log.read_text()
    finally:
        if server.poll() is None:
            server.kill()
            server.wait()
