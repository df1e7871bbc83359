"""Runs a hybrid program: rewrite, compile against the real path, exec with the hooks in place.

`--mode python` compiles the file as it is (no rewrite, no LM): CPython's speed and errors exactly.
The program's `__builtins__` is a copy of the real builtins plus the hooks object under a name no
identifier can spell (`@coc`), so the hooks never appear among the program's variables.
"""

from __future__ import annotations

import builtins
import gc
import os
import sys
import time
import types
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any, TextIO

from coc_lsp.lm.reprs import safe_repr
from coc_lsp.program.parse import read_program
from coc_lsp.program.sites import HOOKS
from coc_lsp.runtime.errors import EmulationError, StopRun
from coc_lsp.runtime.hooks import Hooks
from coc_lsp.runtime.output import TeeStream
from coc_lsp.runtime.session import BeforeEmulation, EmulationSession, LMulatorFactory
from coc_lsp.runtime.trace import End, Error, Start, Stopped, TraceWriter

if TYPE_CHECKING:
    import traceback

    from coc_lsp.program.rewrite import RewrittenProgram

MODES = ("interweave", "python", "lm")


@dataclass
class RunOptions:
    mode: str = "interweave"
    args: list[str] = field(default_factory=list)
    make_lmulator: LMulatorFactory | None = None
    refresh_lines: frozenset[int] = frozenset()
    before_emulation: BeforeEmulation | None = None
    # Where the program's own stdout/stderr go; None when only the trace records them.
    stdout: TextIO | None = None
    stderr: TextIO | None = None
    # Stop the program when it reaches this line (before running it): the editor's "run to line".
    stop_line: int | None = None
    # Trace the values bound by assignments Python runs (`values` events), for editor hints.
    trace_values: bool = False
    # Called with the rewritten program before it is compiled (the debugger reads its guards).
    on_program: Callable[[RewrittenProgram], None] | None = None
    # Ask a loop's independent semantic calls ahead, concurrently (when the backend takes more
    # than one request at once; never when pausing before each emulation).
    prefetch: bool = True


def run_file(path: str, options: RunOptions, trace: TraceWriter) -> End:
    """Run the program at `path`; its `end` event (also written to the trace) says how it went."""
    filename = str(Path(path).resolve())
    started = time.perf_counter()
    unreadable: SyntaxError | None = None
    try:
        source = read_program(filename)
    except SyntaxError as error:  # reported as the program's syntax error, with its line
        source, unreadable = "", error
    session = EmulationSession(
        filename=filename,
        source=source,
        trace=trace,
        make_lmulator=options.make_lmulator or _no_lm,
        refresh_lines=options.refresh_lines,
        before_emulation=options.before_emulation,
        prefetch=options.prefetch,
    )
    trace.write(Start(program=filename, mode=options.mode, pid=os.getpid()))
    # The program runs as the real `__main__` module (pickle, dataclasses, `sys.modules[__name__]`
    # look classes up there), as `python FILE` runs it; the executor's own is put back after.
    main = types.ModuleType("__main__")
    main.__file__ = filename
    main.__builtins__ = builtins  # type: ignore[attr-defined]
    namespace = main.__dict__
    saved_main = sys.modules.get("__main__")
    sys.modules["__main__"] = main
    exit_code, error, failure_kind = 0, None, None
    interrupted = False
    stdout = TeeStream(options.stdout, trace, "stdout")
    stderr = TeeStream(options.stderr, trace, "stderr")
    saved = sys.stdout, sys.stderr, sys.argv[:], sys.path[:]
    sys.stdout, sys.stderr = stdout, stderr
    sys.argv = [filename, *options.args]
    sys.path.insert(0, str(Path(filename).parent))
    try:
        if unreadable is not None:
            raise unreadable
        code = compile_program(filename, source, options, session, namespace)
        if options.stop_line is not None:
            sys.settrace(_stop_at(filename, options.stop_line))
        # What the executor built so far (sites, compiled code, imported modules) lives for the
        # whole run: keep it out of the collector's way, as the program's own objects are not.
        gc.freeze()
        exec(code, namespace)  # noqa: S102 - the program itself, compiled from its file; never LM text
    except StopRun:
        trace.write(Stopped(line=options.stop_line))
    except SystemExit as stop:
        exit_code, error = _exit_status(stop, stderr)
        failure_kind = "exit" if error else None
    except SyntaxError as failure:
        exit_code, error = 1, f"{filename}:{failure.lineno}: SyntaxError: {failure.msg}"
        trace.write(Error(line=failure.lineno, kind="syntax", message=error))
        failure_kind = "syntax"
    except EmulationError as failure:
        exit_code, error, failure_kind = 1, str(failure), "emulation"
    except BaseException as failure:  # the program failed: report it like Python, then go on
        interrupted = isinstance(failure, KeyboardInterrupt)
        exit_code, error, failure_kind = 1, _describe_failure(failure, filename), "exception"
        line = _failing_line(failure, filename)
        trace.write(Error(line=line, kind="exception", type=type(failure).__name__, message=error))
        stderr.write(_user_traceback(failure, filename))
    finally:
        session.finish(wait=not interrupted)
        gc.unfreeze()
        if options.stop_line is not None:
            sys.settrace(None)
        stdout.flush_trace()
        stderr.flush_trace()
        sys.stdout, sys.stderr, sys.argv, sys.path[:] = saved[0], saved[1], saved[2], saved[3]
        if saved_main is not None:
            sys.modules["__main__"] = saved_main
        builtins.__dict__.pop(HOOKS, None)
    answer = safe_repr(namespace["answer"], 2000) if "answer" in namespace else None
    end = End(
        status="ok" if exit_code == 0 else "error",
        exit_code=exit_code,
        answer=answer,
        seconds=round(time.perf_counter() - started, 4),
        backend=session.backend_description,
        totals=session.totals,
        error=error,
        failure=failure_kind,
        notices=list(session.notices),
    )
    trace.write(end)
    return end


def compile_program(
    filename: str, source: str, options: RunOptions, session: EmulationSession, namespace: dict[str, Any]
) -> Any:
    """Compile the program for its mode; install the hooks in `namespace` unless in python mode."""
    mode = options.mode
    if mode == "python":
        return compile(source, filename, "exec", dont_inherit=True)
    from coc_lsp.program.rewrite import rewrite

    program = rewrite(source, filename, "lm" if mode == "lm" else "interweave", record_values=options.trace_values)
    if options.on_program is not None:
        options.on_program(program)
    # The hooks go into the real builtins under a name no identifier can spell (removed when the
    # run ends): `__builtins__` stays the builtins module, as in `python FILE`, and what the
    # program adds to it (`builtins.f = ...`) is seen as Python sees it.
    session.sites = program.sites
    setattr(builtins, HOOKS, Hooks(program, session))
    code = compile(program.tree, filename, "exec", dont_inherit=True)  # type: ignore[arg-type]
    program.release_tree()
    return code


def _stop_at(filename: str, line: int) -> Any:
    """A trace function that raises StopRun when the program reaches `line` of `filename`.
    Tracing costs speed, so only runs that stop at a line use it."""

    def local(frame: Any, event: str, arg: Any) -> Any:
        if event == "line" and frame.f_lineno == line:
            raise StopRun
        return local

    def global_(frame: Any, event: str, arg: Any) -> Any:
        return local if frame.f_code.co_filename == filename else None

    return global_


def _no_lm() -> Any:
    from coc_lsp.lm.errors import ConfigError

    raise ConfigError("No LM backend is configured for this run.")


def _exit_status(stop: SystemExit, stderr: TextIO) -> tuple[int, str | None]:
    code = stop.code
    if code is None:
        return 0, None
    if isinstance(code, int):
        return code, None if code == 0 else f"the program exited with status {code}"
    stderr.write(f"{code}\n")
    return 1, str(code)


def _program_frames(failure: BaseException, filename: str) -> list[traceback.FrameSummary]:
    import traceback

    return [f for f in traceback.extract_tb(failure.__traceback__) if f.filename == filename]


def _failing_line(failure: BaseException, filename: str) -> int | None:
    frames = _program_frames(failure, filename)
    return frames[-1].lineno if frames else None


def _describe_failure(failure: BaseException, filename: str) -> str:
    line = _failing_line(failure, filename)
    where = f"{filename}:{line}" if line else filename
    return f"{where}: {type(failure).__name__}: {failure}"


def _user_traceback(failure: BaseException, filename: str) -> str:
    """Python's traceback without the executor's own frames."""
    package = str(Path(__file__).resolve().parent.parent)
    import traceback

    summary = traceback.extract_tb(failure.__traceback__)
    kept = traceback.StackSummary.from_list([f for f in summary if not f.filename.startswith(package)])
    lines = ["Traceback (most recent call last):\n", *kept.format()]
    lines += traceback.format_exception_only(type(failure), failure)
    return "".join(lines)
