"""Per-document results of the last run: the trace's emulations by line, its error and its end.

Built from trace events (docs/trace.md); lines are 1-based program lines as in the trace. Results
follow edits: `shift()` moves them with incremental changes and `revalidate()` drops the ones whose
line text changed, so a hint never sits on a line other than the one the LM emulated.
"""

from __future__ import annotations

import time
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any


@dataclass
class Emulation:
    """One `emulation` event of the trace."""

    site: int
    line: int
    col: int
    end_line: int
    end_col: int
    kind: str
    trigger: str
    source: str
    function: str | None
    request: dict[str, Any]
    raw: str
    value: str | None
    values: dict[str, str] | None
    cached: bool
    latency_ms: float | None

    @classmethod
    def from_event(cls, event: dict[str, Any]) -> Emulation:
        line = int(event.get("line") or 1)
        return cls(
            site=int(event.get("site", -1)),
            line=line,
            col=int(event.get("col") or 0),
            end_line=int(event.get("end_line") or line),
            end_col=int(event.get("end_col") or 0),
            kind=str(event.get("kind", "line")),
            trigger=str(event.get("trigger", "")),
            source=str(event.get("source", "")),
            function=event.get("function"),
            request=event.get("request") or {},
            raw=str(event.get("raw", "")),
            value=event.get("value"),
            values=event.get("values"),
            cached=bool(event.get("cached")),
            latency_ms=event.get("latency_ms"),
        )

    def shifted(self, delta: int) -> Emulation:
        copy = Emulation(**self.__dict__)
        copy.line += delta
        copy.end_line += delta
        return copy


@dataclass
class RunResults:
    """What the last run (or a debug run's trace) of one document left to show."""

    program: str  # the file that ran (the document's path)
    emulations: list[Emulation] = field(default_factory=list)
    # Values of assignments Python ran (`values` events, with `coc run --trace-values`), in the
    # same shape as line emulations with trigger "python".
    python_values: list[Emulation] = field(default_factory=list)
    error: dict[str, Any] | None = None
    end: dict[str, Any] | None = None
    stopped_line: int | None = None
    backend: str | None = None
    loaded_at: float = field(default_factory=time.time)
    # Text of each line an emulation or the error sits on, as it was when the program ran.
    line_texts: dict[int, str] = field(default_factory=dict)

    @classmethod
    def from_events(cls, program: str, events: Iterable[dict[str, Any]], ran_lines: list[str]) -> RunResults:
        results = cls(program)
        for event in events:
            kind = event.get("event")
            if kind == "emulation":
                results.emulations.append(Emulation.from_event(event))
            elif kind == "values":
                results.python_values.append(Emulation.from_event({**event, "kind": "line", "trigger": "python"}))
            elif kind == "error" and results.error is None:
                results.error = event
            elif kind == "stopped":
                results.stopped_line = event.get("line")
            elif kind == "backend":
                results.backend = event.get("description")
            elif kind == "end":
                results.end = event
        for line in results.lines():
            if 1 <= line <= len(ran_lines):
                results.line_texts[line] = ran_lines[line - 1].rstrip("\r\n")
        return results

    def lines(self) -> set[int]:
        found = {e.line for e in self.emulations} | {e.line for e in self.python_values}
        if self.error and self.error.get("line"):
            found.add(int(self.error["line"]))
        return found

    def at_line(self, line: int) -> list[Emulation]:
        return [e for e in self.emulations if e.line <= line <= e.end_line]

    def by_site(self, python_values: bool = False) -> dict[tuple[int, int], list[Emulation]]:
        """Emulations (and with `python_values` the values of Python-run assignments) grouped by
        where they sit (line, col), each group in run order."""
        groups: dict[tuple[int, int], list[Emulation]] = {}
        for emulation in self.emulations + (self.python_values if python_values else []):
            groups.setdefault((emulation.line, emulation.col), []).append(emulation)
        return groups

    # -- following edits ---------------------------------------------------------------------

    def shift(self, start_line: int, end_line: int, new_text: str) -> None:
        """Apply one incremental change that replaced 0-based lines start..end (inclusive) with
        `new_text`: lines below move, lines inside keep a candidate position checked later."""
        delta = new_text.count("\n") - (end_line - start_line)
        if delta == 0 and start_line == end_line:
            return
        first, last = start_line + 1, end_line + 1  # program lines

        def moved(line: int) -> int:
            return line + delta if line > last else line

        inserted_above = delta > 0 and first in self.line_texts

        def kept(items: list[Emulation]) -> list[Emulation]:
            staying = [e.shifted(moved(e.line) - e.line) for e in items if e.line > last or e.line <= first]
            if inserted_above:  # text inserted at the start of the line pushes it down: keep both
                staying += [e.shifted(delta) for e in staying if e.line == first]
            return staying

        self.emulations, self.python_values = kept(self.emulations), kept(self.python_values)
        self.line_texts = {moved(line): text for line, text in self.line_texts.items() if line > last or line <= first}
        if inserted_above:
            self.line_texts.setdefault(first + delta, self.line_texts[first])
        if self.error and self.error.get("line"):
            line = int(self.error["line"])
            if line > last:
                self.error = {**self.error, "line": line + delta}
            elif line > first:
                self.error = None

    def revalidate(self, doc_lines: list[str]) -> None:
        """Drop results on lines whose text is not what ran there."""

        def same(line: int) -> bool:
            text = self.line_texts.get(line)
            return text is not None and 1 <= line <= len(doc_lines) and doc_lines[line - 1].rstrip("\r\n") == text

        self.emulations = [e for e in self.emulations if same(e.line)]
        self.python_values = [e for e in self.python_values if same(e.line)]
        self.line_texts = {line: text for line, text in self.line_texts.items() if same(line)}
        if self.error and self.error.get("line") and not same(int(self.error["line"])):
            self.error = None


def summary(results: RunResults) -> dict[str, Any]:
    """The `coc/runFinished` numbers from a run's end event (zeros when the trace has none)."""
    end = results.end or {}
    totals = end.get("totals") or {}
    return {
        "status": end.get("status", "error"),
        "exitCode": end.get("exit_code"),
        "emulated": totals.get("emulations", len(results.emulations)),
        "lmCalls": totals.get("lm_calls", 0),
        "cacheHits": totals.get("cache_hits", 0),
        "seconds": end.get("seconds"),
        "backend": end.get("backend") or results.backend,
        "error": end.get("error"),
        "answer": end.get("answer"),
    }
