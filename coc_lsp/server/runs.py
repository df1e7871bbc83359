"""One run of a program as a child process: `coc run FILE --trace -` under the run supervisor.

No LSP here: `execute()` starts `python -m coc_lsp.server.supervisor -- coc run ...` (see
supervisor.py), hands each trace event to a callback as it arrives and returns the outcome. The
run ends when its trace ends (the supervisor closes it only once the program and everything it
started are gone), when `stop` is set, or at the timeout; the last two send SIGTERM to the
supervisor, which kills the whole tree. A supervisor that does not exit within KILL_GRACE_S is
killed (the program gets SIGKILL from the kernel when its supervisor dies). Every wait is bounded:
a run never keeps the server waiting. The server process never runs user code.

`kill_all()` stops every run under way from any thread or signal handler (the server exiting);
if the server dies without it, the supervisors notice (supervisor.py).
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import os
import signal
import sys
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

from coc_lsp.lm.errors import ConfigError
from coc_lsp.lm.recorded import answers_path
from coc_lsp.runtime.trace import End, Event, Output, TraceVersionError, read_trace
from coc_lsp.server.program_file import ProgramFile, program_file
from coc_lsp.server.settings import Settings

log = logging.getLogger(__name__)
LINE_LIMIT = 32 * 1024 * 1024  # longest trace line read (output events are ~8 KiB chunks)
STDERR_TAIL = 16 * 1024
KILL_GRACE_S = 5.0  # for the supervisor to kill the run's processes and exit
_live: dict[int, ProgramFile] = {}  # supervisor pid -> the file it runs, for kill_all()


@dataclass(frozen=True)
class RunRequest:
    path: Path  # the document's file
    source: str  # the document's text: what runs
    settings: Settings
    stop_line: int | None = None  # 1-based
    refresh_line: int | None = None  # 1-based


@dataclass
class RunOutcome:
    # "ok" / "error" from the trace's end event; "timeout", "cancelled", or "crashed" (no end event).
    status: str
    exit_code: int | None
    events: list[Event] = field(default_factory=list)  # every event but `output`
    stderr: str = ""


def command(request: RunRequest, program: ProgramFile) -> list[str]:
    """`coc run` for the request, under the supervisor."""
    run = [sys.executable, "-m", "coc_lsp", "run", str(program.path), "--trace", "-", "--quiet"]
    run += program.options + request.settings.run_options()  # the server's settings win
    if request.stop_line is not None:
        run += ["--stop-line", str(request.stop_line)]
    if request.refresh_line is not None:
        run += ["--refresh-line", str(request.refresh_line)]
    if program.is_copy and answers_path(program.document).is_file():
        run += ["--answers", str(answers_path(program.document))]  # the pins beside the document
    supervisor = [sys.executable, "-m", "coc_lsp.server.supervisor", "--parent", str(os.getpid())]
    if program.directory is not None:
        supervisor += ["--remove", str(program.directory)]
    return [*supervisor, "--", *run]


async def execute(
    request: RunRequest, on_event: Callable[[Event], None], stop: asyncio.Event | None = None
) -> RunOutcome:
    """Run `request`; call `on_event` with each trace event (paths mapped to the document's).
    Setting `stop` ends the run; what the trace held until then is in the outcome."""
    outcome = RunOutcome("crashed", None)
    try:
        program = program_file(request.path, request.source)
    except ConfigError as error:
        outcome.exit_code, outcome.stderr = 2, f"coc: error: {error}"
        return outcome
    try:
        process = await asyncio.create_subprocess_exec(
            *command(request, program),
            stdin=asyncio.subprocess.PIPE,  # the supervisor's lifeline: never written, closed by our death
            stdout=asyncio.subprocess.PIPE,
            stderr=asyncio.subprocess.PIPE,
            cwd=str(request.path.parent),
            start_new_session=True,  # the editor's signals (Ctrl-C in a terminal) reach the server only
            limit=LINE_LIMIT,
        )
    except OSError as error:
        program.remove()
        outcome.stderr = f"cannot start the run: {error}"
        return outcome
    _live[process.pid] = program
    tail = bytearray()
    drain = asyncio.create_task(_drain(process.stderr, tail))
    reader = asyncio.create_task(_read_events(process, program, outcome, on_event))
    stopper = asyncio.create_task((stop or asyncio.Event()).wait())
    try:
        done, _ = await asyncio.wait(
            {reader, stopper}, timeout=request.settings.timeout_s, return_when=asyncio.FIRST_COMPLETED
        )
        if reader in done:
            reader.result()
        elif stopper in done:
            outcome.status = "cancelled"
        else:
            outcome.status = "timeout"
    finally:
        stopper.cancel()
        await _end(process, reader, drain)
        _live.pop(process.pid, None)
        program.remove()
        outcome.exit_code = process.returncode
        outcome.stderr = program.text(tail.decode(errors="replace"))
    return outcome


async def _end(process: asyncio.subprocess.Process, reader: asyncio.Task[None], drain: asyncio.Task[None]) -> None:
    """Stop the supervisor unless it is done; wait, bounded, for its pipes to close."""
    if process.returncode is None:
        _signal(process.pid, signal.SIGTERM)
    pipes = asyncio.gather(reader, drain, return_exceptions=True)
    try:
        await asyncio.wait_for(asyncio.shield(pipes), KILL_GRACE_S)
    except asyncio.TimeoutError:
        log.warning("the run supervisor %s did not stop in %g s: killing it", process.pid, KILL_GRACE_S)
        with contextlib.suppress(OSError):
            os.killpg(process.pid, signal.SIGKILL)
        with contextlib.suppress(asyncio.TimeoutError):
            await asyncio.wait_for(asyncio.shield(pipes), 1.0)
        reader.cancel()
        drain.cancel()
    if process.stdin is not None:
        process.stdin.close()
    with contextlib.suppress(asyncio.TimeoutError):
        await asyncio.wait_for(process.wait(), 1.0)


async def _read_events(
    process: asyncio.subprocess.Process,
    program: ProgramFile,
    outcome: RunOutcome,
    on_event: Callable[[Event], None],
) -> None:
    assert process.stdout is not None
    while True:
        try:
            raw = await process.stdout.readline()
        except ValueError:
            log.warning("skipped a trace line longer than %d bytes", LINE_LIMIT)
            continue
        if not raw:
            return
        try:
            events = list(read_trace([raw.decode("utf-8", errors="replace")]))
        except TraceVersionError as error:  # a `coc` of another version on the PATH
            outcome.stderr = str(error)
            return
        for event in events:
            event = program.event(event)
            if not isinstance(event, Output):
                outcome.events.append(event)
            if isinstance(event, End):
                outcome.status = "ok" if event.status == "ok" else "error"
            on_event(event)


async def _drain(stream: asyncio.StreamReader | None, tail: bytearray) -> None:
    """Read the child's stderr so it never blocks on a full pipe; keep its last bytes."""
    if stream is None:
        return
    while chunk := await stream.read(65536):
        tail += chunk
        del tail[:-STDERR_TAIL]


def _signal(pid: int, signum: int) -> None:
    with contextlib.suppress(OSError):
        os.kill(pid, signum)


def kill_all() -> None:
    """Stop every run under way and remove buffer copies (the server is going away); safe to
    call from any thread or a signal handler."""
    for pid, program in list(_live.items()):
        _signal(pid, signal.SIGTERM)
        program.remove()
