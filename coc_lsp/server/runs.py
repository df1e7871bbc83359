"""One run of a program as a child process: `coc run FILE --trace -` under the run supervisor.

No LSP here: `execute()` starts `python -m coc_lsp.server.supervisor -- coc run ...` (see
supervisor.py), hands each trace event to a callback as it arrives and returns the outcome. The
run ends when its trace ends (the supervisor closes it only once the program and everything it
started are gone), when `stop` is set, or at the timeout; the last two send SIGTERM to the
supervisor, which kills the whole tree. A supervisor that does not exit within KILL_GRACE_S is
killed (the program gets SIGKILL from the kernel when its supervisor dies). Every wait is bounded:
a run never keeps the server waiting. Cancelling a run's task (the server's event loop ending)
ends it at once: the supervisor gets SIGTERM, our ends of its pipes are closed, nothing is awaited.
The server process never runs user code.

The supervisor is started with subprocess.Popen and its pipes read through the loop's read-pipe
transports (`_spawn`), not with asyncio.create_subprocess_exec: a task cancelled inside that call
together with asyncio's own task connecting the child's pipes (as asyncio.run, and the server's
`_run_bounded`, cancel every task at the end) awaits the child's exit forever (CPython gh-125502:
the wake-up waits in a queue nothing runs any more). That is how `coc lsp` outlived Neovim.

`output_of()` runs another `coc` command the same way (the editor's "Solve a Question" has the
program written by `coc solve --write-only --json`) and returns its standard output.

`kill_all()` stops every run under way from any thread or signal handler (the server exiting);
if the server dies without it, the supervisors notice (supervisor.py).
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import os
import shutil
import signal
import subprocess
import sys
import tempfile
from collections.abc import Callable, Coroutine
from dataclasses import dataclass, field
from functools import partial
from pathlib import Path
from typing import Any, TypeVar

from coc_lsp.lm.errors import ConfigError
from coc_lsp.lm.recorded import answers_path
from coc_lsp.runtime.trace import End, Event, Output, TraceVersionError, read_trace
from coc_lsp.server.program_file import ProgramFile, copy_options, make_program_file, program_file
from coc_lsp.server.settings import Settings

log = logging.getLogger(__name__)
LINE_LIMIT = 32 * 1024 * 1024  # longest trace line read (output events are ~8 KiB chunks)
STDERR_TAIL = 16 * 1024
KILL_GRACE_S = 5.0  # for the supervisor to kill the run's processes and exit
EXIT_POLL_S = 0.01  # how often, once its pipes are closed, whether the supervisor has exited
_live: dict[int, Callable[[], None]] = {}  # supervisor pid -> what removes its files, for kill_all()
T = TypeVar("T")



@dataclass
class Stoppable:
    """A child's job the server may stop (a run, a solve): the first reason given is kept."""

    request_id: Any = field(default=None, kw_only=True)  # the workspace/executeCommand that started it
    stop: asyncio.Event = field(default_factory=asyncio.Event, kw_only=True)
    stopped_because: str | None = field(default=None, kw_only=True)  # replaced, closed, cancelled, shutdown
    task: asyncio.Task[None] | None = field(default=None, kw_only=True)

    def stop_for(self, reason: str) -> None:
        if self.stopped_because is None:
            self.stopped_because = reason
        self.stop.set()

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


def command(request: RunRequest, program: ProgramFile, go: Path | None = None) -> list[str]:
    """`coc run` for the request, under the supervisor (with `go`: a spare waiting for that file)."""
    run = [sys.executable, "-m", "coc_lsp", "run", str(program.path), "--trace", "-", "--quiet"]
    if go is not None:
        run += ["--start-when", str(go)]
    run += program.options + request.settings.run_options()  # the server's settings win
    if request.stop_line is not None:
        run += ["--stop-line", str(request.stop_line)]
    if request.refresh_line is not None:
        run += ["--refresh-line", str(request.refresh_line)]
    if program.is_copy and answers_path(program.document).is_file():
        run += ["--answers", str(answers_path(program.document))]  # the pins beside the document
    return supervised(run, program.directory or (go.parent if go is not None else None))


def supervised(child: list[str], remove: Path | None = None) -> list[str]:
    """`child` under the run supervisor, which removes the directory `remove` when it is over."""
    supervisor = [sys.executable, "-m", "coc_lsp.server.supervisor", "--parent", str(os.getpid())]
    if remove is not None:
        supervisor += ["--remove", str(remove)]
    return [*supervisor, "--", *child]


@dataclass
class Spare:
    """A run started ahead (live runs): `coc run` has loaded the backend and waits for `go` to
    exist before it reads the program. Used by the next run of the same document with the same
    options, whose program file (the document or a copy) it then is; else stopped."""

    request: RunRequest  # what it was started for (its source is not what it will run)
    program: ProgramFile
    go: Path
    child: Child

    def fits(self, request: RunRequest, options: list[str] | None) -> bool:
        """Whether it can run `request`, whose program file `copy_options` says is `options`."""
        if (request.path, request.settings, request.stop_line, request.refresh_line) != (
            self.request.path, self.request.settings, self.request.stop_line, self.request.refresh_line
        ) or self.child.returncode is not None:
            return False
        if options is None:  # the document's file runs (it reads its folder's settings itself)
            return not self.program.is_copy
        # A copy runs with its folder's settings as options, read when the spare started: still so?
        return self.program.is_copy and options == self.program.options

    def stop(self) -> None:
        """Not used after all: end it (the supervisor removes its private directory)."""
        self.child.abandon()
        self.program.remove()
        shutil.rmtree(self.go.parent, ignore_errors=True)


async def start_spare(request: RunRequest) -> Spare | None:
    """A spare for runs like `request`, or None when it cannot start (runs then start cold)."""
    try:
        program = program_file(request.path, request.source)
    except ConfigError:
        return None
    private = program.directory or Path(tempfile.mkdtemp(prefix="coc-lsp-spare-"))
    go = private / ".coc-go"
    try:
        child = await _start(request, program, go)
    except BaseException:
        shutil.rmtree(private, ignore_errors=True)
        raise
    if isinstance(child, str):
        shutil.rmtree(private, ignore_errors=True)
        return None
    return Spare(request, program, go, child)


async def _start(request: RunRequest, program: ProgramFile, go: Path | None = None) -> Child | str:
    """The supervisor of a run, or why it could not start."""
    child = await _spawn(command(request, program, go), request.path.parent, program.remove)
    return f"cannot start the run: {child}" if isinstance(child, str) else child


@dataclass
class Child:
    """A supervisor started by `_spawn`: its stdout and stderr read on the event loop, its stdin
    its lifeline (never written: closing it, or our death, ends the supervisor)."""

    popen: subprocess.Popen[bytes]
    stdout: asyncio.StreamReader
    stderr: asyncio.StreamReader
    pipes: list[asyncio.BaseTransport] = field(default_factory=list)

    @property
    def pid(self) -> int:
        return self.popen.pid

    @property
    def returncode(self) -> int | None:
        return self.popen.poll()

    def close(self) -> None:
        """Close our ends of its pipes (idempotent)."""
        for pipe in self.pipes:
            pipe.close()
        for stream in (self.popen.stdin, self.popen.stdout, self.popen.stderr):
            if stream is not None:
                stream.close()

    def abandon(self) -> None:
        """End it without waiting: SIGTERM (the supervisor kills the run's processes, removes its
        files and exits), our ends closed, forgotten by kill_all."""
        if self.returncode is None:
            _signal(self.pid, signal.SIGTERM)
        self.close()
        _live.pop(self.pid, None)


async def _spawn(argv: list[str], cwd: Path, remove: Callable[[], None]) -> Child | str:
    """Start `argv` (a supervisor's command line) and connect its pipes, or say why it could not
    start; `remove` is what kill_all does beside stopping it. Cancelled, it leaves nothing behind."""
    try:
        popen = subprocess.Popen(
            argv,
            stdin=subprocess.PIPE,  # the supervisor's lifeline: never written, closed by our death
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            bufsize=0,
            cwd=str(cwd),
            start_new_session=True,  # the editor's signals (Ctrl-C in a terminal) reach the server only
        )
    except OSError as error:
        remove()
        return str(error)
    _live[popen.pid] = remove
    started = Child(popen, asyncio.StreamReader(limit=LINE_LIMIT), asyncio.StreamReader())
    loop = asyncio.get_running_loop()
    try:
        for pipe, reader in ((popen.stdout, started.stdout), (popen.stderr, started.stderr)):
            transport, _ = await loop.connect_read_pipe(partial(asyncio.StreamReaderProtocol, reader), pipe)
            started.pipes.append(transport)
    except BaseException:
        started.abandon()
        remove()
        raise
    return started


async def execute(
    request: RunRequest,
    on_event: Callable[[Event], None],
    stop: asyncio.Event | None = None,
    spare: Spare | None = None,
) -> RunOutcome:
    """Run `request`; call `on_event` with each trace event (paths mapped to the document's).
    Setting `stop` ends the run; what the trace held until then is in the outcome. A `spare` that
    fits the request is used (and stopped when it does not)."""
    outcome = RunOutcome("crashed", None)
    try:
        options = copy_options(request.path, request.source)
    except ConfigError as error:
        if spare is not None:
            spare.stop()
        outcome.exit_code, outcome.stderr = 2, f"coc: error: {error}"
        return outcome
    if spare is not None and spare.fits(request, options):
        program, child = spare.program, spare.child
        if program.is_copy:
            with open(program.path, "w", encoding="utf-8", errors="surrogatepass", newline="") as stream:
                stream.write(request.source)
        spare.go.touch()
    else:
        if spare is not None:
            spare.stop()
        program = make_program_file(request.path, request.source, options)
        started = await _start(request, program)
        if isinstance(started, str):
            outcome.stderr = started
            return outcome
        child = started
    try:
        how, reader, stderr = await _await(
            child, _read_events(child.stdout, program, outcome, on_event), stop, request.settings.timeout_s
        )
    finally:
        program.remove()
    if how == "done":
        reader.result()
    else:
        outcome.status = how
    outcome.exit_code = child.returncode
    outcome.stderr = program.text(stderr)
    return outcome


@dataclass
class ChildOutput:
    status: str  # "done" (it ended by itself), "timeout", "cancelled", or "crashed" (it could not start)
    exit_code: int | None
    stdout: str
    stderr: str  # its last STDERR_TAIL bytes


async def output_of(child: list[str], cwd: Path, timeout_s: float, stop: asyncio.Event, remove: Path) -> ChildOutput:
    """Run `child` under the supervisor, as runs are run, and collect its standard output; setting
    `stop` or the timeout ends it. The directory `remove` is removed when it is over."""
    started = await _spawn(supervised(child, remove), cwd, lambda: shutil.rmtree(remove, ignore_errors=True))
    if isinstance(started, str):
        return ChildOutput("crashed", None, "", f"cannot start {' '.join(child[1:4])}: {started}")
    try:
        how, reader, stderr = await _await(started, started.stdout.read(), stop, timeout_s)
    finally:
        shutil.rmtree(remove, ignore_errors=True)
    finished = how == "done" and not reader.cancelled() and reader.exception() is None
    output = reader.result() if finished else b""
    return ChildOutput(how, started.returncode, output.decode("utf-8", errors="replace"), stderr)


async def _await(
    child: Child, reading: Coroutine[Any, Any, T], stop: asyncio.Event | None, timeout_s: float
) -> tuple[str, asyncio.Task[T], str]:
    """Until `reading` (of the child's stdout) ends, `stop` is set or the timeout: how it ended
    ("done", "cancelled", "timeout"), the reading's task and the last STDERR_TAIL bytes of the
    child's stderr. The child is ended (`_end`) before it returns; cancelled, at once."""
    tail = bytearray()
    drain = asyncio.create_task(_drain(child.stderr, tail))
    reader = asyncio.create_task(reading)
    stopper = asyncio.create_task((stop or asyncio.Event()).wait())
    try:
        done, _ = await asyncio.wait({reader, stopper}, timeout=timeout_s, return_when=asyncio.FIRST_COMPLETED)
        how = "done" if reader in done else "cancelled" if stopper in done else "timeout"
        await _end(child, reader, drain)
    finally:
        stopper.cancel()
        _abandon(child, reader, drain)  # only what _end did not do: after a cancel, everything
    return how, reader, tail.decode(errors="replace")


async def _end(child: Child, reader: asyncio.Task[Any], drain: asyncio.Task[None]) -> None:
    """Stop the supervisor unless it is done; wait, bounded, for its pipes to close and it to exit."""
    if child.returncode is None:
        _signal(child.pid, signal.SIGTERM)
    pipes = asyncio.gather(reader, drain, return_exceptions=True)
    try:
        await asyncio.wait_for(asyncio.shield(pipes), KILL_GRACE_S)
    except asyncio.TimeoutError:
        log.warning("the run supervisor %s did not stop in %g s: killing it", child.pid, KILL_GRACE_S)
        with contextlib.suppress(OSError):
            os.killpg(child.pid, signal.SIGKILL)
        with contextlib.suppress(asyncio.TimeoutError):
            await asyncio.wait_for(asyncio.shield(pipes), 1.0)
        reader.cancel()
        drain.cancel()
    child.close()
    loop = asyncio.get_running_loop()
    deadline = loop.time() + 1.0
    while child.returncode is None and loop.time() < deadline:  # its pipes closed: it is exiting
        await asyncio.sleep(EXIT_POLL_S)


def _abandon(child: Child, reader: asyncio.Task[Any], drain: asyncio.Task[None]) -> None:
    """End the supervisor and its readers at once (a cancelled task must not wait); after `_end`,
    what is left to do is forgetting it."""
    reader.cancel()
    drain.cancel()
    child.abandon()


async def _read_events(
    stdout: asyncio.StreamReader,
    program: ProgramFile,
    outcome: RunOutcome,
    on_event: Callable[[Event], None],
) -> None:
    while True:
        try:
            raw = await stdout.readline()
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


async def _drain(stream: asyncio.StreamReader, tail: bytearray) -> None:
    """Read the child's stderr so it never blocks on a full pipe; keep its last bytes."""
    while chunk := await stream.read(65536):
        tail += chunk
        del tail[:-STDERR_TAIL]


def _signal(pid: int, signum: int) -> None:
    with contextlib.suppress(OSError):
        os.kill(pid, signum)


def kill_all() -> None:
    """Stop every run under way and remove buffer copies (the server is going away); safe to
    call from any thread or a signal handler."""
    for pid, remove in list(_live.items()):
        _signal(pid, signal.SIGTERM)
        remove()
