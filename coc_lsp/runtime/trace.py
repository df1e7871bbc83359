"""The trace: JSON lines describing one run (schema in docs/trace.md).

The one seam between running a program and showing it: `coc run` writes it, the CLI summary, the
language server and the debugger read it. Writing is thread-safe and flushed per event, so a
reader sees every event up to a crash.
"""

from __future__ import annotations

import hashlib
import json
import os
import threading
import time
from collections.abc import Iterable, Iterator
from pathlib import Path
from typing import Any, TextIO

TRACE_VERSION = 1


class TraceWriter:
    """Writes trace events to a text stream; a writer without a stream only counts."""

    def __init__(self, stream: TextIO | None) -> None:
        self.stream = stream
        self.lock = threading.Lock()
        self.started = time.monotonic()

    def write(self, event: str, **fields: Any) -> None:
        if self.stream is None:
            return
        record = {"event": event, "t": round(time.monotonic() - self.started, 4), **fields}
        line = json.dumps(record, ensure_ascii=False, default=repr)
        with self.lock:
            try:
                self.stream.write(line + "\n")
                self.stream.flush()
            except (OSError, ValueError):
                self.stream = None  # the reader went away: keep running, stop tracing


def read_trace(lines: Iterable[str]) -> Iterator[dict[str, Any]]:
    """Parse trace lines, skipping any that are not JSON objects (a torn last line, noise)."""
    for line in lines:
        line = line.strip()
        if not line.startswith("{"):
            continue
        try:
            record = json.loads(line)
        except json.JSONDecodeError:
            continue
        if isinstance(record, dict) and "event" in record:
            yield record


def default_trace_path(program: str | os.PathLike[str], cache_dir: str | None = None) -> Path:
    """Where debug runs leave the trace of `program` for the language server to show: one file per
    program under the user cache dir (never in the user's workspace)."""
    from platformdirs import user_cache_dir

    resolved = str(Path(program).resolve())
    digest = hashlib.sha256(resolved.encode()).hexdigest()[:16]
    base = Path(cache_dir) if cache_dir else Path(user_cache_dir("coc-lsp"))
    return base / "traces" / f"{Path(resolved).name}.{digest}.jsonl"
