"""The trace: one run described as JSON lines (schema and change log in docs/trace.md).

The one seam between running a program and showing it. Events are the dataclasses below, defined
once: the executor builds them and `TraceWriter.write` serialises them; every reader (the CLI
summary, the language server, the debugger, the benchmarks) gets them back as the same classes
through `read_trace`, which checks `TRACE_VERSION`. Writing is thread-safe and flushed per event,
so a reader sees every event up to a crash. Any string encodes, lone surrogates included.

Positions: lines 1-based, columns 0-based counted in characters (code points) of the line.
"""

from __future__ import annotations

import dataclasses
import functools
import hashlib
import json
import os
import threading
import time
import types
import typing
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, ClassVar, TextIO, TypeVar

# 2: columns in characters, not UTF-8 bytes; `notice` events; totals count prefetched answers.
TRACE_VERSION = 2


class TraceVersionError(ValueError):
    """A trace written by another version of coc-lsp, whose events this version cannot read."""


@dataclass(kw_only=True)
class Event:
    """Base of every trace event: `t` is seconds since the run started."""

    name: ClassVar[str] = ""
    t: float = 0.0

    def to_json(self) -> dict[str, Any]:
        record: dict[str, Any] = {"event": self.name}
        record.update(dataclasses.asdict(self))
        return record

    @classmethod
    def from_json(cls: type[E], record: dict[str, Any]) -> E:
        """The event in `record`; missing or ill-typed fields take their defaults."""
        return _from_json(cls, record)


E = TypeVar("E", bound=Event)


@dataclass(kw_only=True)
class Start(Event):
    name: ClassVar[str] = "start"
    version: int = TRACE_VERSION
    program: str = ""  # absolute path
    mode: str = "interweave"
    pid: int = 0


@dataclass(kw_only=True)
class BackendChosen(Event):
    """Written when the first emulation creates the LM backend."""

    name: ClassVar[str] = "backend"
    description: str = ""


@dataclass(kw_only=True)
class Emulating(Event):
    """Just before the LM (or the cache) is asked."""

    name: ClassVar[str] = "emulating"
    site: int = -1
    line: int = 1
    source: str = ""
    percent: int | None = None  # furthest line reached / lines in the file
    prompt: str = ""  # what the LM will be asked, shortly (the debugger shows it when it pauses)


@dataclass(kw_only=True)
class RequestInfo:
    """What an emulation asked, as reprs."""

    args: list[str] = field(default_factory=list)
    kwargs: dict[str, str] = field(default_factory=dict)
    targets: list[str] = field(default_factory=list)
    returns: str | None = None
    error: str | None = None  # what made Python give up, for trigger "exception"
    target_types: dict[str, str] = field(default_factory=dict)  # for line/pseudo, when known


@dataclass(kw_only=True)
class Located(Event):
    """An event about an emulation site: where it sits in the program."""

    site: int = -1
    line: int = 1
    col: int = 0
    end_line: int = 1
    end_col: int = 0

    def location(self) -> dict[str, int]:
        return {"site": self.site, "line": self.line, "col": self.col, "end_line": self.end_line, "end_col": self.end_col}


@dataclass(kw_only=True)
class Emulation(Located):
    """One answer used by the program at an emulation site."""

    name: ClassVar[str] = "emulation"
    kind: str = "line"  # call, expression, line, pseudo
    trigger: str = ""  # undefined-call, pseudo, exception, lm-mode, missing-module
    source: str = ""
    function: str | None = None
    request: RequestInfo = field(default_factory=RequestInfo)
    raw: str = ""
    value: str | None = None  # repr of the value, for call/expression
    values: dict[str, str] | None = None  # {target: repr}, for line/pseudo
    origin: str = "lm"  # lm, cache, answers (a recorded answers file)
    latency_ms: float = 0.0
    prompt_tokens: int = 0
    completion_tokens: int = 0
    attempts: int = 1
    # Asked ahead while the loop ran, concurrently with the next items' calls (latency overlapped).
    prefetched: bool = False
    # How a recorded answers file finds this answer (lm/recorded.py: scope, source, sees as JSON)
    # and the value as a Python literal (None when it is not one): what "Pin this answer" writes.
    answer_key: list[str] = field(default_factory=list)
    answer: str | None = None

    @property
    def cached(self) -> bool:
        return self.origin != "lm"

    @property
    def is_span(self) -> bool:
        """True when the emulation covers a call or expression inside a line (not a whole line)."""
        return self.kind in ("call", "expression") and self.trigger != "pseudo"


@dataclass(kw_only=True)
class Values(Located):
    """With `--trace-values`: what an assignment Python ran bound (at most 20 a site)."""

    name: ClassVar[str] = "values"
    values: dict[str, str] = field(default_factory=dict)


@dataclass(kw_only=True)
class Output(Event):
    name: ClassVar[str] = "output"
    stream: str = "stdout"
    text: str = ""


@dataclass(kw_only=True)
class Notice(Event):
    """Something the user should know that is not an error: a module that is not installed,
    output that was cut."""

    name: ClassVar[str] = "notice"
    kind: str = ""  # missing-module, output-truncated
    line: int | None = None
    message: str = ""


@dataclass(kw_only=True)
class Error(Event):
    name: ClassVar[str] = "error"
    line: int | None = None
    kind: str = "exception"  # syntax, exception, emulation
    message: str = ""  # FILE:LINE: cause
    type: str | None = None  # exception class, for kind "exception"
    site: int | None = None  # for kind "emulation"


@dataclass(kw_only=True)
class Stopped(Event):
    """The run stopped where `--stop-line` asked; the end event follows with status ok."""

    name: ClassVar[str] = "stopped"
    line: int | None = None


@dataclass(kw_only=True)
class Totals:
    emulations: int = 0
    lines: int = 0
    lm_calls: int = 0
    cache_hits: int = 0
    prompt_tokens: int = 0
    completion_tokens: int = 0
    # Answers fetched ahead for a loop and never used by the program (they went to the cache).
    prefetched_unused: int = 0

    @property
    def tokens(self) -> int:
        return self.prompt_tokens + self.completion_tokens


@dataclass(kw_only=True)
class End(Event):
    name: ClassVar[str] = "end"
    status: str = "error"  # ok, error
    exit_code: int | None = None
    answer: str | None = None  # repr of the program's `answer` variable
    seconds: float = 0.0
    backend: str | None = None
    totals: Totals = field(default_factory=Totals)
    error: str | None = None
    # What ended a failed run: exit (SystemExit with a status), exception (the program's, with
    # Python's traceback on stderr), syntax, emulation (the LM could not answer a line).
    failure: str | None = None
    notices: list[str] = field(default_factory=list)  # messages of the run's `notice` events


@dataclass(kw_only=True)
class Generated(Event):
    """`coc solve`: the LM wrote the program (before it runs). `error` when it does not parse."""

    name: ClassVar[str] = "generated"
    program: str = ""
    path: str | None = None  # where it was saved
    prompt_tokens: int = 0
    completion_tokens: int = 0
    origin: str = "lm"  # lm, cache
    error: str | None = None


@dataclass(kw_only=True)
class Solved(Event):
    """`coc solve`: the answer, and which path gave it (program, fallback, lm-rerun,
    program-read, direct, cot, none)."""

    name: ClassVar[str] = "solved"
    answer: str | None = None
    path: str = "none"
    method: str = "coc"
    error: str | None = None  # why the program did not give the answer


EVENTS: dict[str, type[Event]] = {
    cls.name: cls
    for cls in (Start, BackendChosen, Emulating, Emulation, Values, Output, Notice, Error, Stopped, End, Generated, Solved)
}


def summary_text(end: End, prefix: str = "coc: ") -> str:
    """The one totals line (and the answer and error lines) every reader shows for a run."""
    totals = end.totals
    parts = [
        f"{totals.emulations} emulations on {totals.lines} lines",
        f"{totals.lm_calls} LM calls",
        f"{totals.cache_hits} cache hits",
    ]
    if totals.prefetched_unused:
        parts.append(f"{totals.prefetched_unused} prefetched answers unused")
    parts += [f"{totals.tokens} tokens", f"{end.seconds:.2f} s"]
    text = prefix + ", ".join(parts)
    if end.backend:
        text += f"; backend: {end.backend}"
    for notice in end.notices:
        text += f"\n{prefix}note: {notice}"
    if end.answer is not None:
        text += f"\n{prefix}answer = {end.answer}"
    if end.error:
        text += f"\n{prefix}error: {end.error}"
    return text


class TraceWriter:
    """Writes trace events to a text stream; a writer without a stream writes nothing."""

    def __init__(self, stream: TextIO | None) -> None:
        self.stream = stream
        self.lock = threading.Lock()
        self.started = time.monotonic()

    def write(self, event: Event) -> None:
        if self.stream is None:
            return
        event.t = round(time.monotonic() - self.started, 4)
        line = encode(event)
        with self.lock:
            try:
                self.stream.write(line + "\n")
                self.stream.flush()
            except (OSError, ValueError):
                self.stream = None  # the reader went away: keep running, stop tracing


def encode(event: Event) -> str:
    """One JSON line. Text is kept as it is, except where it cannot be UTF-8 (a lone surrogate
    the program printed): then the line is written with \\u escapes, which any reader decodes."""
    record = event.to_json()
    line = json.dumps(record, ensure_ascii=False, default=repr)
    try:
        line.encode("utf-8")
    except UnicodeEncodeError:
        line = json.dumps(record, ensure_ascii=True, default=repr)
    return line


def read_trace(lines: Iterable[str]) -> Iterator[Event]:
    """The events of trace lines. Lines that are not JSON objects (a torn last line, noise) and
    events of unknown names are skipped; a `start` of another TRACE_VERSION raises
    TraceVersionError."""
    for line in lines:
        event = parse_line(line)
        if event is not None:
            yield event


def parse_line(line: str) -> Event | None:
    line = line.strip()
    if not line.startswith("{"):
        return None
    try:
        record = json.loads(line)
    except (json.JSONDecodeError, RecursionError):
        return None
    if not isinstance(record, dict):
        return None
    cls = EVENTS.get(record.get("event"))  # type: ignore[arg-type]
    if cls is None:
        return None
    if cls is Start and record.get("version") != TRACE_VERSION:
        raise TraceVersionError(
            f"This trace was written by trace version {record.get('version')!r} (program"
            f" {record.get('program')!r}); this coc-lsp reads version {TRACE_VERSION}. Run the"
            " program again to write a new trace."
        )
    return cls.from_json(record)


def with_paths_replaced(event: E, replace: Callable[[str], str]) -> E:
    """`event` with `replace` applied to its text fields: the path of a copy a program ran as
    (an unsaved buffer, a sandbox's file) put back to the path the user knows."""
    changes = {
        f.name: new
        for f in dataclasses.fields(event)
        if isinstance(value := getattr(event, f.name), str) and (new := replace(value)) != value
    }
    return dataclasses.replace(event, **changes) if changes else event


def default_trace_path(program: str | os.PathLike[str], cache_dir: str | None = None) -> Path:
    """Where debug runs leave the trace of `program` for the language server to show: one file per
    program under the user cache dir (never in the user's workspace)."""
    from platformdirs import user_cache_dir

    resolved = str(Path(program).resolve())
    digest = hashlib.sha256(resolved.encode()).hexdigest()[:16]
    base = Path(cache_dir) if cache_dir else Path(user_cache_dir("coc-lsp"))
    return base / "traces" / f"{Path(resolved).name}.{digest}.jsonl"


# -- reading JSON back into dataclasses -------------------------------------------------------------


@functools.cache
def _field_types(cls: type) -> dict[str, Any]:
    hints = typing.get_type_hints(cls)
    return {f.name: hints[f.name] for f in dataclasses.fields(cls)}


def _from_json(cls: type[Any], record: Any) -> Any:
    if not isinstance(record, dict):
        return cls()
    values = {}
    for name, kind in _field_types(cls).items():
        if name in record and (value := _converted(kind, record[name])) is not _INVALID:
            values[name] = value
    return cls(**values)


_INVALID = object()


def _converted(kind: Any, value: Any) -> Any:
    """`value` as type `kind`, or _INVALID (the field keeps its default)."""
    if dataclasses.is_dataclass(kind):
        return _from_json(kind, value) if isinstance(value, dict) else _INVALID
    origin = typing.get_origin(kind)
    if origin in (typing.Union, types.UnionType):
        for member in typing.get_args(kind):
            converted = _converted(member, value)
            if converted is not _INVALID:
                return converted
        return _INVALID
    if kind is type(None):
        return None if value is None else _INVALID
    if kind is float:
        return float(value) if isinstance(value, (int, float)) and not isinstance(value, bool) else _INVALID
    if kind is int:
        return value if isinstance(value, int) and not isinstance(value, bool) else _INVALID
    if kind is bool:
        return value if isinstance(value, bool) else _INVALID
    if kind is str:
        return value if isinstance(value, str) else _INVALID
    if origin is list:
        return [str(v) for v in value] if isinstance(value, list) else _INVALID
    if origin is dict:
        return {str(k): str(v) for k, v in value.items()} if isinstance(value, dict) else _INVALID
    return value
