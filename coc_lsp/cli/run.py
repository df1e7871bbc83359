"""`coc run FILE`: run a hybrid program, print its output and a summary.

Exit status: 0 when the program succeeded, 1 when it failed (or the LM could not emulate a line),
2 for bad usage.
"""

from __future__ import annotations

import argparse
import os
import sys
from pathlib import Path
from typing import Any, TextIO

from coc_lsp.cli.options import add_backend_options, config_for, fail
from coc_lsp.runtime.executor import MODES, RunOptions, run_file
from coc_lsp.runtime.trace import TraceWriter, summary_text


def add_parser(commands: argparse._SubParsersAction) -> None:
    run = commands.add_parser("run", help="run a .coc.py program", usage="coc run FILE [options] [-- program arguments]")
    run.add_argument("file", help="the program (.coc.py)")
    run.add_argument("--mode", choices=MODES, default=None, help="interweave (default), python (no LM) or lm (every line emulated)")
    add_backend_options(run)
    run.add_argument("--trace", metavar="FILE", help="write the trace as JSON lines to FILE ('-' for stdout)")
    run.add_argument("--answers", metavar="FILE", action="append", default=[], help="answer emulations from this recorded answers file first (PROGRAM.coc.answers.json beside the program is always read)")
    run.add_argument("--record", metavar="FILE", help="write the answers this run used to FILE (recorded answers format)")
    run.add_argument("--refresh-line", type=int, action="append", default=[], metavar="LINE", help="ask the LM again for this line, bypassing the cache")
    run.add_argument("--stop-line", type=int, metavar="LINE", help="stop the program when it reaches LINE")
    run.add_argument("--trace-values", action="store_true", help="also trace the values of assignments Python runs")
    run.add_argument("--quiet", action="store_true", help="no summary: stderr holds what the program and Python write")
    run.add_argument("--stop-on-emulation", action="store_true", help="under a debugger (coc dap): pause before each emulation")
    run.add_argument("--no-prefetch", action="store_true", help="ask a loop's semantic calls one by one, never ahead and concurrently")
    # The language server's warm live runs (server/runs.py): start, load the backend, then wait
    # until PATH exists before reading the program.
    run.add_argument("--start-when", metavar="PATH", help=argparse.SUPPRESS)
    run.set_defaults(handler=run_command)


def run_command(args: argparse.Namespace) -> int:
    path = Path(args.file)
    warm = _warm_up(path, args) if args.start_when else None
    if args.start_when:
        _wait_for(Path(args.start_when))
    if not path.is_file():
        return fail(f"{args.file}: no such file")
    from coc_lsp.lm.recorded import answers_path

    for option, output, inputs in (
        ("--trace", args.trace, [path, answers_path(path), *map(Path, args.answers)]),
        ("--record", args.record, [path]),  # over an --answers file: recorded again, on purpose
    ):
        if output not in (None, "-") and (kept := _same_file(Path(output), inputs)) is not None:
            return fail(f"{option} {output}: that is {kept}, which writing it would destroy")
    program_args = args.args
    config = config_for(path, args, mode=args.mode)
    mode = args.mode or config.mode or "interweave"
    if mode not in MODES:
        return fail(f"unknown mode {mode!r}; choose one of {', '.join(MODES)}")
    from coc_lsp.lm.errors import ConfigError
    from coc_lsp.lm.recorded import RecordedAnswers

    try:
        answers = RecordedAnswers()
        for source in args.answers:
            answers.entries.update(RecordedAnswers.load(source).entries)
        answers.entries.update(RecordedAnswers.load(answers_path(path), missing_ok=True).entries)  # pins win
    except ConfigError as error:
        return fail(str(error))
    record = RecordedAnswers(Path(args.record)) if args.record else None
    if record is not None and Path(args.record).is_dir():  # found now, not after the LM answered
        return fail(f"{args.record}: is a directory; --record takes the answers file to write")

    def make_lmulator() -> Any:
        from coc_lsp.lm.config import make_lmulator

        if warm is not None and warm[0] == config and record is None:
            lmulator, description = warm[1]
            lmulator.answers = answers or None
            return lmulator, description
        return make_lmulator(config, answers=answers or None, record=record)

    try:
        trace_stream, program_stdout = _open_trace(args.trace)
    except OSError as error:
        return fail(f"{args.trace}: the trace cannot be written: {error.strerror or error}")
    options = RunOptions(
        mode=mode,
        args=program_args,
        make_lmulator=make_lmulator,
        refresh_lines=frozenset(args.refresh_line),
        stdout=program_stdout,
        stderr=sys.stderr,
        stop_line=args.stop_line,
        trace_values=args.trace_values,
        before_emulation=_pause_before_emulation() if args.stop_on_emulation else None,
        on_program=_debugger_preparation(),
        prefetch=not args.no_prefetch,
    )
    unsaved = None
    try:
        end = run_file(str(path), options, TraceWriter(trace_stream))
    finally:
        if trace_stream is not None and trace_stream is not sys.stdout:
            trace_stream.close()
        if record is not None:
            try:
                record.save()
            except ConfigError as error:
                unsaved = str(error)
    if unsaved is not None:
        print(f"coc: error: {unsaved} The answers of this run were not recorded.", file=sys.stderr)
    if not args.quiet:
        print(summary_text(end), file=sys.stderr)
    elif end.failure in ("syntax", "emulation"):  # what Python itself would not have said
        print(f"coc: error: {end.error}", file=sys.stderr)
    if unsaved is not None:
        return 2
    return end.exit_code if end.exit_code is not None else 1


def _same_file(output: Path, inputs: list[Path]) -> Path | None:
    """The input that `output` names too (through links, `..`), if any."""
    target = output.resolve()
    return next((kept for kept in inputs if kept.resolve() == target), None)


def _warm_up(path: Path, args: argparse.Namespace) -> tuple[Any, Any] | None:
    """(config, (lmulator, description)) made ahead, before the program is known; None when making
    them fails (the run then fails the same way where it would have without warming up)."""
    try:
        from coc_lsp.lm.config import make_lmulator

        config = config_for(path, args, mode=args.mode)
        made = make_lmulator(config)
        prepare = getattr(made[0].backend, "prepare", None)  # load a model, make a client: optional
        if callable(prepare):
            prepare()
        return config, made
    except Exception:  # noqa: BLE001 - reported by the run itself, at first use
        return None


def _wait_for(go: Path) -> None:
    import time

    pause = 0.005
    while not go.exists():  # quick right after a run, when the next edit is likeliest; then 20 wakeups/s
        time.sleep(pause)
        pause = min(0.05, pause * 1.1)


def _debugger_preparation() -> Any:
    """Under debugpy (`coc dap`): show it the rewritten program's try blocks."""
    if "pydevd" not in sys.modules:
        return None
    from coc_lsp.debug.debuggee import prepare_debugger

    return prepare_debugger


def _pause_before_emulation() -> Any:
    from coc_lsp.debug.debuggee import pause_before_emulation

    return pause_before_emulation


def _open_trace(target: str | None) -> tuple[TextIO | None, TextIO | None]:
    """(trace stream, where the program's stdout goes). With `--trace -` the trace owns fd 1 and
    everything else written to fd 1 (the program's prints, C libraries, children) goes to stderr."""
    if target is None:
        return None, sys.stdout
    if target == "-":
        sys.stdout.flush()
        trace_fd = os.dup(1)
        os.dup2(2, 1)
        return os.fdopen(trace_fd, "w", encoding="utf-8", buffering=1), None
    return open(target, "w", encoding="utf-8", buffering=1), sys.stdout
