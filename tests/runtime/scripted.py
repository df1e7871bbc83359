"""A deterministic custom backend for runtime tests: answers come from a function the test gives.

It goes through the real LMulator (type checks, retry, cache), as any custom backend does."""

from __future__ import annotations

import io
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from coc_lsp.lm.lmulator import LMulator
from coc_lsp.lm.request import EmulationRequest
from coc_lsp.runtime.executor import RunOptions, run_file
from coc_lsp.runtime.trace import Emulation, End, Event, TraceWriter, read_trace


class ScriptedBackend:
    def __init__(self, answer: Callable[[EmulationRequest], Any]) -> None:
        self.answer_for = answer
        self.requests: list[EmulationRequest] = []  # appended from the prefetch threads too

    def emulate(self, request: EmulationRequest) -> Any:
        self.requests.append(request)
        return self.answer_for(request)


class ConcurrentBackend(ScriptedBackend):
    """The same, declaring that it answers several requests at once, from their keys alone: the
    executor asks a loop's calls ahead with it."""

    uses_program = False
    max_in_flight = 4


@dataclass
class Run:
    result: End
    events: list[Event]
    stdout: str
    stderr: str
    requests: list[EmulationRequest] = field(default_factory=list)

    @property
    def emulations(self) -> list[Emulation]:
        return [e for e in self.events if isinstance(e, Emulation)]

    @property
    def answer(self) -> Any:
        return self.result.answer


def run_program(
    tmp_path: Path,
    source: str,
    answer: Callable[[EmulationRequest], Any],
    mode: str = "interweave",
    *,
    concurrent: bool = False,
    prefetch: bool = True,
) -> Run:
    """Run `source` with a scripted backend (`concurrent`: one the executor asks ahead with)."""
    path = tmp_path / "program.coc.py"
    path.write_text(source)
    backend = ConcurrentBackend(answer) if concurrent else ScriptedBackend(answer)
    trace, stdout, stderr = io.StringIO(), io.StringIO(), io.StringIO()
    options = RunOptions(
        mode=mode,
        make_lmulator=lambda: (LMulator(backend, None, "scripted"), "scripted backend"),
        stdout=stdout,
        stderr=stderr,
        prefetch=prefetch,
    )
    result = run_file(str(path), options, TraceWriter(trace))
    events = list(read_trace(trace.getvalue().splitlines()))
    return Run(result, events, stdout.getvalue(), stderr.getvalue(), backend.requests)
