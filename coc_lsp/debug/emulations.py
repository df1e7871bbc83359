"""Follows a debug run's trace file and turns its events into debug-console lines.

Runs in the adapter process; reads only the trace (docs/trace.md), never executor internals. The
proxy drains it before forwarding each `stopped`, `exited` and `terminated` event, so what the LM
did appears before the stop it led to, and a poller drains it in between.
"""

from __future__ import annotations

import threading
from pathlib import Path
from typing import Any

from coc_lsp.runtime.trace import read_trace


class TraceFollower:
    def __init__(self, path: Path) -> None:
        self.path = path
        self.offset = 0
        self.partial = ""
        self.lock = threading.Lock()
        # The `emulating` event not yet followed by its `emulation`: the LM is being asked now.
        self.pending: dict[str, Any] | None = None

    def forget_old(self) -> None:
        """Remove the trace a previous run left, so that only this run's events are read."""
        try:
            self.path.unlink()
        except FileNotFoundError:
            pass

    def drain(self) -> list[dict[str, Any]]:
        """The trace events written since the last call (whole lines only)."""
        with self.lock:
            try:
                with open(self.path, encoding="utf-8") as stream:
                    stream.seek(0, 2)
                    if stream.tell() < self.offset:  # rewritten by a new run
                        self.offset, self.partial = 0, ""
                    stream.seek(self.offset)
                    text = stream.read()
                    self.offset = stream.tell()
            except FileNotFoundError:
                return []
            text = self.partial + text
            lines = text.split("\n")
            self.partial = lines.pop()  # a line still being written
            events = list(read_trace(lines))
            for event in events:
                if event["event"] == "emulating":
                    self.pending = event
                elif event["event"] in ("emulation", "error", "end"):
                    self.pending = None
            return events


def console_line(event: dict[str, Any]) -> str | None:
    """What the debug console shows for a trace event, or None for events it does not show
    (the program's output and errors already come through the process's own streams)."""
    kind = event.get("event")
    if kind == "emulation":
        if event.get("kind") in ("line", "pseudo"):
            values = event.get("values") or {}
            answer = ", ".join(f"{name} = {value}" for name, value in values.items()) or "done"
        else:
            answer = str(event.get("value"))
        cached = " (cached)" if event.get("cached") else ""
        return f"line {event.get('line')} emulated: {event.get('source')} → {answer}{cached}\n"
    if kind == "backend":
        return f"coc: LM backend: {event.get('description')}\n"
    if kind == "end":
        totals = event.get("totals") or {}
        text = (
            f"coc: {totals.get('emulations', 0)} emulations on {totals.get('lines', 0)} lines,"
            f" {totals.get('lm_calls', 0)} LM calls, {totals.get('cache_hits', 0)} cache hits,"
            f" {event.get('seconds', 0):.2f} s\n"
        )
        if event.get("answer") is not None:
            text += f"coc: answer = {event['answer']}\n"
        return text
    return None
