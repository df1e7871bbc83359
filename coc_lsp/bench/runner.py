"""Runs (question, method) items through solve() on `jobs` threads, recording each as it finishes.

Concurrency: each thread runs one solve() at a time; a program runs in its own sandboxed child
process and its LM requests are answered on the thread that started it, so `jobs` questions wait on
the LM at once (an endpoint answers them in parallel; the embedded model answers one at a time
behind its lock). The LMulator, its cache and the backends are safe to share between threads.

Stopping: `stop()` (Ctrl-C, SIGTERM) cancels the running programs and closes the results file, so
nothing cut short is recorded; the next run does those items again (their LM answers come from the
cache). An LMError is not an answer: the item is left for the next run, and a run whose LM fails
more than `jobs` times in a row (an endpoint down) stops with that error.
"""

from __future__ import annotations

import queue
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from coc_lsp.bench.data import Question
from coc_lsp.bench.results import Results, item_key
from coc_lsp.bench.scoring import format_of, score
from coc_lsp.lm.errors import LMError
from coc_lsp.lm.lmulator import LMulator
from coc_lsp.solve.methods import Method
from coc_lsp.solve.pipeline import Runner, SolveOptions, SolveResult, solve

ERROR_CHARS = 500
STOP_GRACE_S = 5.0  # how long stop() waits for the threads to end their items


@dataclass(frozen=True)
class Item:
    question: Question
    method: Method

    @property
    def key(self) -> str:
        return item_key(self.question.task, self.question.index, self.method)


@dataclass
class Outcome:
    finished: int = 0
    failed: list[str] = field(default_factory=list)  # "key: error" of items left for the next run
    aborted: str | None = None  # why the run stopped early (the LM kept failing)
    interrupted: bool = False


def failures(result: SolveResult, parsed: str | None) -> list[str]:
    """The failure kinds of one answer: parse (the program did not parse), run (it ran but did not
    give the answer), fallback (the LM answered from the failed program), unparseable."""
    kinds = []
    if result.error and result.error.startswith("the program does not parse"):
        kinds.append("parse")
    elif result.program_path is not None and result.path != "program":
        kinds.append("run")
    if result.path == "fallback":
        kinds.append("fallback")
    if parsed is None:
        kinds.append("unparseable")
    return kinds


def record_of(item: Item, result: SolveResult, folder: Path) -> dict[str, Any]:
    question = item.question
    fmt = format_of(question.task)
    marks = score(result.answer, question.target, fmt, question.input)
    program = result.program_path
    return {
        "key": item.key,
        "task": question.task,
        "index": question.index,
        "method": item.method,
        "target": question.target,
        "answer": result.answer,
        "parsed": marks.parsed,
        "strict": marks.strict,
        "correct": marks.correct,
        "path": result.path,
        "failures": failures(result, marks.parsed),
        "error": result.error[:ERROR_CHARS] if result.error else None,
        "lm_calls": result.lm_calls,
        "tokens": result.tokens,
        "seconds": result.seconds,
        "program": str(program.relative_to(folder)) if program is not None and program.is_relative_to(folder) else None,
    }


class BenchRunner:
    """One run: `run(items)` solves the items not yet recorded in `results`."""

    def __init__(
        self,
        lmulator: LMulator,
        make_runner: Callable[[threading.Event], Runner],
        results: Results,
        *,
        jobs: int = 1,
        shots: int = 3,
        cross_task: bool = False,
        cot_prompts: dict[str, str] | None = None,
        on_record: Callable[[dict[str, Any]], None] | None = None,
    ) -> None:
        self.lmulator = lmulator
        self.cancel = threading.Event()
        self.runner = make_runner(self.cancel)
        self.results = results
        self.jobs = max(1, jobs)
        self.shots = shots
        self.cross_task = cross_task
        self.cot_prompts = cot_prompts or {}
        self.on_record = on_record or (lambda record: None)
        self.outcome = Outcome()
        self._queue: queue.Queue[Item] = queue.Queue()
        self._lock = threading.Lock()
        self._errors_in_a_row = 0

    def pending(self, items: list[Item]) -> list[Item]:
        return [item for item in items if not self.results.done(item.key)]

    def run(self, items: list[Item]) -> Outcome:
        """Solve the pending items; returns when all are done, the LM keeps failing, or on
        KeyboardInterrupt (after stopping the threads: the interrupt is not re-raised)."""
        for item in self.pending(items):
            self._queue.put(item)
        threads = [threading.Thread(target=self._work, name=f"coc-bench-{n}", daemon=True) for n in range(self.jobs)]
        for thread in threads:
            thread.start()
        try:
            for thread in threads:
                while thread.is_alive():
                    thread.join(0.2)  # in slices: the main thread must see Ctrl-C
        except KeyboardInterrupt:
            self.outcome.interrupted = True
            self.stop(threads)
        self.results.close()
        return self.outcome

    def stop(self, threads: list[threading.Thread]) -> None:
        """Cancel running programs, record nothing more, give the threads a moment to end."""
        self.cancel.set()
        self.results.close()
        deadline = time.monotonic() + STOP_GRACE_S
        for thread in threads:
            thread.join(max(0.0, deadline - time.monotonic()))

    def _work(self) -> None:
        while not self.cancel.is_set():
            try:
                item = self._queue.get_nowait()
            except queue.Empty:
                return
            try:
                record = self._solve(item)
            except LMError as error:
                self._failed(item, str(error))
                continue
            except Exception as error:  # noqa: BLE001 - one broken item must not end the run: it is reported
                self._failed(item, f"{type(error).__name__}: {error}")
                continue
            if self.cancel.is_set() or not self.results.append(record):
                return  # stopped while this item ran: its outcome may be cut short
            with self._lock:
                self._errors_in_a_row = 0
                self.outcome.finished += 1
            self.on_record(record)

    def _solve(self, item: Item) -> dict[str, Any]:
        question = item.question
        folder = self.results.folder
        program_path = folder / "programs" / question.task / f"{question.index}.{item.method}.coc.py"
        program_path.parent.mkdir(parents=True, exist_ok=True)
        program_path.unlink(missing_ok=True)  # left by a run stopped before recording this item
        options = SolveOptions(
            method=item.method,
            task=question.task,
            shots=self.shots,
            cross_task=self.cross_task,
            cot_prompt=self.cot_prompts.get(question.task),
            program_path=program_path,
        )
        result = solve(question.input, self.lmulator, options, self.runner)
        return record_of(item, result, folder)

    def _failed(self, item: Item, error: str) -> None:
        with self._lock:
            self.outcome.failed.append(f"{item.key}: {error[:ERROR_CHARS]}")
            self._errors_in_a_row += 1
            if self._errors_in_a_row >= max(3, self.jobs + 1):
                self.outcome.aborted = error[:ERROR_CHARS]
                self.cancel.set()
