"""The server object: pygls's LanguageServer with this server's protocol, transports and ending.

Both transports (stdio, `--tcp`) read through transport.py. The server ends at `exit`, at the end
of its input, or on SIGTERM/SIGINT/SIGHUP; every path stops the runs under way (runs.kill_all)
and the analysis worker, then `exit_code` / `stopped_by` say how `serve()` should end the process.
"""

from __future__ import annotations

import asyncio
import logging
import signal
import sys
from collections.abc import Coroutine
from typing import Any, BinaryIO

from pygls.io_ import StdoutWriter
from pygls.lsp.server import LanguageServer

from coc_lsp import __version__
from coc_lsp.server import runs
from coc_lsp.server.controller import Controller
from coc_lsp.server.protocol import CocProtocol
from coc_lsp.server.transport import READ_SIZE, read_messages, stdin_reader

log = logging.getLogger(__name__)
STOP_SIGNALS = (signal.SIGTERM, signal.SIGINT, signal.SIGHUP)
CLEANUP_S = 5.0  # for the tasks left when serving ends


class _Output(StdoutWriter):
    """stdout for messages; once closed (`exit`) or broken (the client is gone) it drops them.
    pygls reports a failed send by sending a message, which fails: a recursion a thousand deep."""

    def __init__(self, stdout: BinaryIO) -> None:
        super().__init__(stdout)
        self.closed = False

    def close(self) -> None:
        self.closed = True
        super().close()

    def write(self, data: bytes) -> None:
        if self.closed:
            return
        try:
            super().write(data)
        except (OSError, ValueError):
            self.closed = True
            log.warning("the client's end of stdout is closed: messages are dropped from now on")


class CocLanguageServer(LanguageServer):
    protocol: CocProtocol

    def __init__(self) -> None:
        super().__init__("coc-lsp", __version__, protocol_cls=CocProtocol)
        self.controller = Controller(self)
        self.protocol.on_cancel = self.controller.request_cancelled
        self.stopped_by: int | None = None  # the signal that ended the server
        self.exit_code = 0  # 1 after `exit` without `shutdown`, as LSP says

    def serve(self, tcp_port: int | None = None) -> None:
        """Serve over stdio, or on 127.0.0.1:`tcp_port`; then end the process as LSP asks: exit
        status 1 after `exit` without `shutdown`, or the stop signal that arrived."""
        try:
            if tcp_port is not None:
                self.start_tcp("127.0.0.1", tcp_port)
            else:
                self.start_io()
        finally:
            self.stop_everything()
        if self.stopped_by is not None:  # now that the runs are stopped, end as the signal asked
            signal.signal(self.stopped_by, signal.SIG_DFL)
            signal.raise_signal(self.stopped_by)
        if self.exit_code:
            sys.exit(self.exit_code)

    def start_io(self, stdin: BinaryIO | None = None, stdout: BinaryIO | None = None) -> None:
        """Serve on stdio until `exit`, the end of stdin or a stop signal."""
        self.protocol.set_writer(_Output(stdout or sys.stdout.buffer))
        try:
            _run_bounded(self._serve_io(stdin or sys.stdin.buffer))
        except BrokenPipeError:
            log.error("the client closed its end of the connection; stopping")
        except SystemExit as stop:  # `exit`
            self.exit_code = _exit_code(stop)
        finally:
            self.stop_everything()

    async def _serve_io(self, stdin: BinaryIO) -> None:
        loop = asyncio.get_running_loop()
        reading = asyncio.current_task()
        for signum in STOP_SIGNALS:
            loop.add_signal_handler(signum, self._stop_signal, signum, reading)
        try:
            await read_messages(await stdin_reader(stdin), self.protocol)
        except asyncio.CancelledError:
            if self.stopped_by is None:
                raise
        finally:
            # The client is gone: end the runs now, so that the tasks waiting on them end too.
            self.stop_everything()

    def start_tcp(self, host: str, port: int) -> None:
        """Serve the first client that connects to host:port, until it disconnects or `exit`."""

        async def serve() -> None:
            done = asyncio.Event()

            async def connection(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
                self.protocol.set_writer(writer)  # type: ignore[arg-type]
                try:
                    await read_messages(lambda: reader.read(READ_SIZE), self.protocol)
                except SystemExit as stop:  # `exit`
                    self.exit_code = _exit_code(stop)
                finally:
                    done.set()

            listener = await asyncio.start_server(connection, host, port)
            async with listener:
                await done.wait()

        try:
            asyncio.run(serve())
        finally:
            self.stop_everything()

    def _stop_signal(self, signum: int, reading: asyncio.Task[Any] | None) -> None:
        self.stopped_by = signum
        if reading is not None:
            reading.cancel()

    def stop_everything(self) -> None:
        """Stop the runs under way and the analysis worker (idempotent, synchronous)."""
        runs.kill_all()
        self.controller.analyser.close()


def _run_bounded(main: Coroutine[Any, Any, None]) -> None:
    """asyncio.run(main), but the tasks still pending when it ends get CLEANUP_S to finish after
    being cancelled, not forever: the server must end with its client even if one of them never
    does (asyncio.run waits for all of them). A safety net: no task is known to need it since runs
    no longer start children with asyncio.create_subprocess_exec (runs.py says why)."""
    loop = asyncio.new_event_loop()
    try:
        loop.run_until_complete(main)
    finally:
        pending = asyncio.all_tasks(loop)
        for task in pending:
            task.cancel()
        if pending:
            _, stuck = loop.run_until_complete(asyncio.wait(pending, timeout=CLEANUP_S))
            for task in stuck:
                log.warning("a task did not end when cancelled: %r, awaiting %s", task, _awaiting(task))
        loop.close()


def _awaiting(task: asyncio.Task[Any]) -> str:
    """Where a suspended task waits: each coroutine it awaits, innermost last (a task's own stack
    shows only its outermost one)."""
    where = []
    awaited: Any = task.get_coro()
    while awaited is not None:
        frame = getattr(awaited, "cr_frame", None) or getattr(awaited, "gi_frame", None)
        name = getattr(awaited, "__qualname__", type(awaited).__name__)
        where.append(f"{name} ({frame.f_code.co_filename}:{frame.f_lineno})" if frame is not None else name)
        awaited = getattr(awaited, "cr_await", None) or getattr(awaited, "gi_yieldfrom", None)
    return " -> ".join(where)


def _exit_code(stop: SystemExit) -> int:
    return stop.code if isinstance(stop.code, int) else 1
