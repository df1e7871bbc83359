"""Live runs: the server re-runs a document by itself after a save or a pause in typing.

`coc.liveRun` is "off", "onSave" or "onType" (`coc.liveRunDelayMs`: the pause, default 400 ms).
A live run is an ordinary run of the controller (a `coc run` child under the supervisor, with the
cache, so only sites whose request changed reach the LM) with four differences:

- a newer edit stops it at once (its process group is killed by the supervisor) and none of its
  results are shown after that: they describe text that is gone;
- its hints stream: each answer it gets replaces the hints of the lines it has passed, lines
  further down keep the last run's until the run reaches them (LiveStream);
- a program that does not parse mid-edit keeps its last hints, marked stale, and gets no message
  (the static analysis shows what is wrong); no window/showMessage for live runs at all: it stops
  at the first emulation the LM cannot answer and says so on that line (the run's diagnostic);
- $/progress titles it "live run";
- it starts warm: when a live run ends, the next one is started ahead as a spare (runs.Spare: the
  `coc run` child has imported the backend, or loaded the embedded model, and waits), which the
  next live run of the document uses if nothing it depends on changed. At most MAX_SPARES idle
  processes are kept, the most recently used documents'.

The server's default is "off": a live run executes the user's program without being asked, and
the server cannot know whether the user trusts the folder. The VS Code extension asks for
"onSave" (package.json) and forces "off" in a workspace that is not trusted (Workspace Trust).
"""

from __future__ import annotations

import asyncio
import contextlib
import time
from collections.abc import Sequence
from typing import TYPE_CHECKING

from coc_lsp.runtime.trace import Emulation, Event, Values
from coc_lsp.server.results import RunResults
from coc_lsp.server.runs import RunRequest, Spare, start_spare

if TYPE_CHECKING:
    from coc_lsp.server.controller import Controller, Run

STREAM_INTERVAL_S = 0.1  # at most this often a streamed hint refresh
MAX_SPARES = 2


class LiveRuns:
    """When to start a live run of each open document."""

    def __init__(self, controller: Controller) -> None:
        self.controller = controller
        self.pending: dict[str, asyncio.Task[None]] = {}
        self.spares: dict[str, Spare] = {}  # in the order they were made, oldest first
        self.preparing: dict[str, asyncio.Task[None]] = {}

    def edited(self, uri: str) -> None:
        self._schedule(uri, "onType")

    def saved(self, uri: str) -> None:
        self._schedule(uri, "onSave")

    def answers_changed(self, uri: str) -> None:
        """A pin changed: show what the program does with it (any live mode). A spare started
        before may not know the answers file (a buffer copy is told where it is when it starts)."""
        if (spare := self.spares.pop(uri, None)) is not None:
            spare.stop()
        self._schedule(uri, "pin")

    def forget(self, uri: str) -> None:
        for tasks in (self.pending, self.preparing):
            task = tasks.pop(uri, None)
            if task is not None:
                task.cancel()
        spare = self.spares.pop(uri, None)
        if spare is not None:
            spare.stop()

    def close(self) -> None:
        for uri in {*self.pending, *self.preparing, *self.spares}:
            self.forget(uri)

    def take_spare(self, uri: str) -> Spare | None:
        return self.spares.pop(uri, None)

    def prepare(self, uri: str, request: RunRequest) -> None:
        """After a live run of `uri`: start the next one ahead, like `request`."""
        if uri in self.preparing or request.settings.live.mode == "off":
            return

        async def make() -> None:
            spare = await start_spare(request)
            if spare is None:
                return
            if uri not in self.controller.open:
                spare.stop()
                return
            if (old := self.spares.pop(uri, None)) is not None:
                old.stop()
            self.spares[uri] = spare
            while len(self.spares) > MAX_SPARES:
                self.spares.pop(next(iter(self.spares))).stop()

        task = asyncio.get_running_loop().create_task(make())
        self.preparing[uri] = task
        task.add_done_callback(lambda done: self.preparing.pop(uri, None) if self.preparing.get(uri) is done else None)

    def _schedule(self, uri: str, trigger: str) -> None:
        if (waiting := self.pending.pop(uri, None)) is not None:
            waiting.cancel()  # debounce: the newest trigger wins
        task = asyncio.get_running_loop().create_task(self._later(uri, trigger))
        self.pending[uri] = task
        task.add_done_callback(lambda done: self.pending.pop(uri, None) if self.pending.get(uri) is done else None)

    async def _later(self, uri: str, trigger: str) -> None:
        live = (await self.controller.settings()).live
        if live.mode == "off" or (trigger == "onType" and live.mode != "onType"):
            return
        if trigger == "onType":
            await asyncio.sleep(live.delay_s)
        state = self.controller.open.get(uri)
        if state is not None and state.run is not None and not state.run.live:
            return  # never replace a run the user asked for (it follows the edits itself)
        with contextlib.suppress(Exception):  # the document closed, or is not a file on disk
            self.controller.start_run(uri, live=True)


class LiveStream:
    """A live run's answers shown as they come: lines it has passed get its hints, the lines below
    keep the previous results until it reaches them. Shows nothing once the run is stopped or the
    document edited (its lines would no longer match)."""

    def __init__(self, controller: Controller, uri: str, run: Run, previous: RunResults | None) -> None:
        self.controller, self.uri, self.run, self.previous = controller, uri, run, previous
        self.events: list[Event] = []
        self.ran_lines: Sequence[str] | None = None
        self.furthest = 0
        self.last_shown = 0.0

    def add(self, event: Event) -> None:
        if isinstance(event, (Emulation, Values)):
            self.events.append(event)
            self.furthest = max(self.furthest, event.end_line)
            if isinstance(event, Emulation) and time.monotonic() - self.last_shown >= STREAM_INTERVAL_S:
                self.show()

    def show(self) -> None:
        state = self.controller.open.get(self.uri)
        if state is None or state.run is not self.run or self.run.stop.is_set() or self.run.edits:
            return
        if self.ran_lines is None:
            self.ran_lines = state.document.lines[:]  # no edits since the run started: what runs
        fresh = RunResults.from_events(str(self.run.path), self.events, self.ran_lines)
        if self.previous is not None:
            below = self.furthest
            fresh.emulations += [e for e in self.previous.emulations if e.line > below]
            fresh.python_values += [e for e in self.previous.python_values if e.line > below]
            kept = fresh.lines()
            fresh.line_texts.update({n: t for n, t in self.previous.line_texts.items() if n > below and n in kept})
        state.results = fresh
        self.last_shown = time.monotonic()
        self.controller.refresh_hints()
