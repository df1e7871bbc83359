"""`coc dap`: a Debug Adapter Protocol server on stdio for hybrid programs.

A proxy in front of debugpy's own adapter (`python -m debugpy.adapter`, a child process speaking
DAP on its stdio). The client's `launch` of a `.coc.py` program becomes debugpy's launch of
`python -m coc_lsp run PROGRAM --trace ...`, so CPython runs the interweaved program under
debugpy, compiled against the real file: breakpoints, stepping, stacks, variables, watches and
the debug console are debugpy's, on the user's source. The proxy rewrites a few messages:

    client  <-- stdio -->  client.py | adapter.py (this) | server.py  <-- pipes -->  debugpy.adapter
                           (launch)      session.py         (variables, stackTrace, stopped)

One thread per direction plus a poller that shows each emulation from the trace file in the debug
console as it happens. The session ends when either side closes its stream.

Set COC_DAP_LOG_DIR to a directory to have debugpy write its logs there.
"""

from __future__ import annotations

import os
import subprocess
import sys
import threading
from typing import BinaryIO

from coc_lsp.debug.client import handle_client_message
from coc_lsp.debug.protocol import ProtocolError, Writer, read_message
from coc_lsp.debug.server import handle_server_message
from coc_lsp.debug.session import DebugSession

POLL_SECONDS = 0.1


def serve(stdin: BinaryIO | None = None, stdout: BinaryIO | None = None) -> int:
    stdin = stdin or sys.stdin.buffer
    stdout = stdout or sys.stdout.buffer
    command = [sys.executable, "-m", "debugpy.adapter"]
    if os.environ.get("COC_DAP_LOG_DIR"):
        command += ["--log-dir", os.environ["COC_DAP_LOG_DIR"]]
    debugpy = subprocess.Popen(command, stdin=subprocess.PIPE, stdout=subprocess.PIPE)
    assert debugpy.stdin is not None and debugpy.stdout is not None
    session = DebugSession(to_client=Writer(stdout, renumber=True), to_server=Writer(debugpy.stdin))
    from_server = threading.Thread(
        target=_pump_server, args=(session, debugpy.stdout), daemon=True, name="coc-dap-server"
    )
    poller = threading.Thread(target=_poll_trace, args=(session,), daemon=True, name="coc-dap-trace")
    from_client = threading.Thread(target=_pump_client, args=(session, stdin), daemon=True, name="coc-dap-client")
    for thread in (from_server, poller, from_client):
        thread.start()
    session.finished.wait()
    _stop(debugpy)
    from_server.join(timeout=5)
    session.show_emulations()
    if from_client.is_alive():
        # debugpy's side ended while the client still holds our stdin open: a thread blocked in a
        # read of stdin cannot be woken, and interpreter shutdown would wait on its lock.
        stdout.flush()
        os._exit(session.status)
    return session.status


def _pump_client(session: DebugSession, stream: BinaryIO) -> None:
    try:
        while not session.finished.is_set():
            try:
                message = read_message(stream)
            except ProtocolError as error:
                print(f"coc dap: {error}", file=sys.stderr)
                session.status = 1
                break
            if message is None:
                break
            handle_client_message(session, message)
    finally:
        session.finished.set()


def _pump_server(session: DebugSession, stream: BinaryIO) -> None:
    try:
        while True:
            try:
                message = read_message(stream)
            except ProtocolError as error:
                print(f"coc dap: debugpy's adapter: {error}", file=sys.stderr)
                break
            if message is None:
                break
            handle_server_message(session, message)
    finally:
        session.finished.set()


def _poll_trace(session: DebugSession) -> None:
    while not session.finished.wait(POLL_SECONDS):
        session.show_emulations()


def _stop(process: subprocess.Popen[bytes]) -> None:
    try:
        if process.stdin is not None:
            process.stdin.close()
    except OSError:
        pass
    try:
        process.wait(timeout=5)
    except subprocess.TimeoutExpired:
        process.kill()
        process.wait(timeout=5)
