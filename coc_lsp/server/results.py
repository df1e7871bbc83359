"""Per-document results of the last run: the trace's emulations by line, its error and its end.

Built from trace events (docs/trace.md); lines are 1-based program lines as in the trace. Results
follow edits: `shift()` moves them with each incremental edit (also edits made while the run was
under way, replayed when its results arrive) and `revalidate()` drops the ones whose line text
changed, so a hint never sits on a line other than the one the LM emulated.
"""

from __future__ import annotations

import dataclasses
import time
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field

from coc_lsp.runtime.trace import BackendChosen, Emulation, End, Error, Event, Stopped, Values
from coc_lsp.server.documents import Edit
from coc_lsp.server.positions import code_extent


def python_value(event: Values) -> Emulation:
    """A `values` event in the shape of a line emulation (trigger "python"), for hints."""
    return Emulation(**event.location(), kind="line", trigger="python", values=event.values)


def shifted(emulation: Emulation, delta: int) -> Emulation:
    return dataclasses.replace(emulation, line=emulation.line + delta, end_line=emulation.end_line + delta)


@dataclass
class RunResults:
    """What the last run (or a debug run's trace) of one document left to show."""

    program: str  # the file that ran (the document's path)
    emulations: list[Emulation] = field(default_factory=list)
    # Values of assignments Python ran (`values` events, with `coc run --trace-values`), in the
    # same shape as line emulations with trigger "python".
    python_values: list[Emulation] = field(default_factory=list)
    error: Error | None = None
    end: End | None = None
    stopped_line: int | None = None
    backend: str | None = None
    loaded_at: float = field(default_factory=time.time)
    # Kept from an earlier run while the program does not parse (live runs mid-edit).
    stale: bool = False
    # Text of each line an emulation or the error sits on, as it was when the program ran.
    line_texts: dict[int, str] = field(default_factory=dict)

    @classmethod
    def from_events(cls, program: str, events: Iterable[Event], ran_lines: Sequence[str]) -> RunResults:
        results = cls(program)
        for event in events:
            if isinstance(event, Emulation):
                results.emulations.append(event)
            elif isinstance(event, Values):
                results.python_values.append(python_value(event))
            elif isinstance(event, Error) and results.error is None:
                results.error = event
            elif isinstance(event, Stopped):
                results.stopped_line = event.line
            elif isinstance(event, BackendChosen):
                results.backend = event.description
            elif isinstance(event, End):
                results.end = event
        for line in results.lines():
            if 1 <= line <= len(ran_lines):
                results.line_texts[line] = ran_lines[line - 1].rstrip("\r\n")
        return results

    def lines(self) -> set[int]:
        """Every program line a result covers (all lines of a multi-line emulation)."""
        found = {line for e in self.emulations + self.python_values for line in range(e.line, max(e.line, e.end_line) + 1)}
        if self.error is not None and self.error.line:
            found.add(self.error.line)
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

    def shift(self, edit: Edit) -> None:
        """Follow one incremental edit. A result moves with the code of its line: lines below the
        edit move by the lines it added or removed; the edit's first line keeps its results when
        the edit starts after that line's code (typing at the end, Enter); its last line's
        results move with the text after the edit when the edit ends before that line's code
        (deleting or inserting lines above it); lines the edit replaced lose theirs."""
        first, last = edit.start_line + 1, edit.end_line + 1  # program lines
        delta = edit.added_lines - (last - first)
        if delta == 0 and first == last:
            return  # nothing moves; revalidate() drops what the edit changed

        def moved(line: int) -> int | None:
            if line < first:
                return line
            if line > last:
                return line + delta
            code_start, code_end = code_extent(self.line_texts.get(line, ""))
            if line == first and edit.start_col >= code_end:
                return line
            if line == last and edit.end_col <= code_start:
                return last + delta
            return None

        def follow(items: list[Emulation]) -> list[Emulation]:
            kept = []
            for item in items:
                line = moved(item.line)
                if line is not None:
                    kept.append(shifted(item, line - item.line))
            return kept

        self.emulations, self.python_values = follow(self.emulations), follow(self.python_values)
        texts = {}
        for line, text in self.line_texts.items():
            if (new := moved(line)) is not None:
                texts[new] = text
        self.line_texts = texts
        if self.error is not None and self.error.line:
            line = moved(self.error.line)
            self.error = None if line is None else dataclasses.replace(self.error, line=line)

    def revalidate(self, doc_lines: Sequence[str]) -> None:
        """Drop results whose lines' text is not what ran there."""

        def same(line: int) -> bool:
            text = self.line_texts.get(line)
            return text is not None and 1 <= line <= len(doc_lines) and doc_lines[line - 1].rstrip("\r\n") == text

        def intact(item: Emulation) -> bool:
            return all(same(line) for line in range(item.line, max(item.line, item.end_line) + 1))

        self.emulations = [e for e in self.emulations if intact(e)]
        self.python_values = [e for e in self.python_values if intact(e)]
        if self.error is not None and self.error.line and not same(self.error.line):
            self.error = None
        kept = self.lines()
        self.line_texts = {line: text for line, text in self.line_texts.items() if line in kept and same(line)}
