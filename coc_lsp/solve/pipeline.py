"""`solve()`: a question -> an LM-written program -> a run -> an answer. One pipeline for
`coc solve`, the editor's "Solve a Question" and `coc bench bbh`.

Methods (the paper's, Li et al. 2312.04474, Table 1 and its ablations):

    coc                              the program runs interweaved (Python, the LM where it fails)
    coc-python                       Python only
    coc-lm                           the LM emulates every line, with the program state
    coc-try-python-except-lm         Python; if the run fails, the LM reads the program and gives
                                     `answer` (no state)
    coc-try-python-except-lm-state   Python; if the run fails, the program runs again with the LM
                                     emulating every line (state)
    direct, cot                      baselines: no program

When a program cannot be recovered (it does not parse even as a hybrid program, or its run fails
after emulation), the paper's fallback answers: the LM is given the question, the program and the
error and answers directly. `SolveResult.path` says which path gave the answer. The program runs
in the sandbox (solve/sandbox.py): an LM wrote it, so it is untrusted code.
"""

from __future__ import annotations

import ast
import tempfile
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

from coc_lsp.lm.lmulator import LMulator
from coc_lsp.lm.request import Completion, Messages
from coc_lsp.runtime.trace import End, Event, Generated, Solved
from coc_lsp.solve import exemplars as exemplar_files
from coc_lsp.solve import prompts
from coc_lsp.solve.answers import extract_answer
from coc_lsp.solve.methods import MODES as _MODES
from coc_lsp.solve.methods import Method
from coc_lsp.solve.programs import ProgramError, checked, extract, save, with_question
from coc_lsp.solve.sandbox import Limits, SandboxUnavailable, run_untrusted

# Exemplars shown across tasks (no task given, or --cross-task): tasks mixing code and judgement.
CROSS_TASKS = ("object_counting", "date_understanding", "sports_understanding", "navigate", "snarks")
PROGRAM_TOKENS = 1024
ANSWER_TOKENS = 64
COT_TOKENS = 512

# Runs a program file: (path, executor mode, the parent's LMulator, on_event) -> the run.
Runner = Callable[[Path, str, LMulator, Callable[[Event], None] | None], "RunOutcome"]


@dataclass
class RunOutcome:
    end: End | None  # None when the run died before its end
    events: list[Event] = field(default_factory=list)
    error: str | None = None  # why it ended without an end event, or the sandbox refused it
    isolation: str = ""


@dataclass
class SolveOptions:
    method: Method = "coc"
    task: str | None = None  # exemplars from this task (and scored as this task by the bench)
    shots: int = 3
    cross_task: bool = False  # exemplars from other tasks even when `task` has some
    cot_prompt: str | None = None  # BIG-Bench Hard's chain-of-thought prompt for `cot`
    program_path: Path | None = None  # where the program is saved (a temporary file if None)


@dataclass
class WrittenProgram:
    program: str  # as extracted from the reply ("" when it holds none)
    completion: Completion
    error: str | None = None  # why it is no program: empty, too long, does not parse as a hybrid program


@dataclass
class SolveResult:
    question: str
    method: str
    answer: str | None
    path: str  # program, fallback, lm-rerun, program-read, direct, cot, none
    program: str | None = None
    program_path: Path | None = None
    error: str | None = None  # why the program path did not give the answer
    end: End | None = None  # the (last) run's end event
    events: list[Event] = field(default_factory=list)
    completions: list[Completion] = field(default_factory=list)  # LM texts written
    seconds: float = 0.0
    isolation: str = ""

    @property
    def lm_calls(self) -> int:
        runs = self.end.totals.lm_calls if self.end else 0
        return runs + sum(c.origin == "lm" for c in self.completions)

    @property
    def tokens(self) -> int:
        runs = self.end.totals.tokens if self.end else 0
        return runs + sum(c.prompt_tokens + c.completion_tokens for c in self.completions)


def sandboxed(limits: Limits | None = None, cancel: threading.Event | None = None) -> Runner:
    """The runner `coc solve` and `coc bench` use: each program in the sandbox, its LM requests
    answered by `lmulator` in this process. Setting `cancel` stops the programs running."""

    def run(path: Path, mode: str, lmulator: LMulator, notify: Callable[[Event], None] | None) -> RunOutcome:
        try:
            result = run_untrusted(path, lambda: (lmulator, lmulator.backend.description), limits, notify, mode, cancel=cancel)
        except SandboxUnavailable as error:
            return RunOutcome(None, error=str(error))
        return RunOutcome(result.end, result.events, None if result.status in ("ok", "error") else result.end.error, result.isolation.describe())

    return run


def choose_exemplars(task: str | None, shots: int, cross_task: bool) -> list[exemplar_files.Exemplar]:
    """`shots` exemplars: the task's own, or (cross-task, or no task with exemplars) one each from
    other tasks."""
    if shots <= 0:
        return []
    if task is not None and not cross_task and task in exemplar_files.tasks():
        return list(exemplar_files.load(task)[:shots])
    others = [t for t in (*CROSS_TASKS, *exemplar_files.tasks()) if t != task]
    chosen = list(dict.fromkeys(others))[:shots]
    return [exemplar_files.load(t)[0] for t in chosen]


def solve(
    question: str,
    lmulator: LMulator,
    options: SolveOptions,
    runner: Runner,
    on_event: Callable[[Event], None] | None = None,
) -> SolveResult:
    """Answer `question` with `options.method`; the result says how. LMError from the LM (an
    unreachable endpoint...) propagates: there is no answer without an LM."""
    started = time.perf_counter()
    notify = on_event or (lambda event: None)
    result = SolveResult(question, options.method, None, "none")
    if options.method in ("direct", "cot"):
        _baseline(question, lmulator, options, result)
    else:
        _program(question, lmulator, options, runner, notify, result)
    result.seconds = round(time.perf_counter() - started, 4)
    notify(Solved(answer=result.answer, path=result.path, method=result.method, error=result.error))
    return result


def _baseline(question: str, lmulator: LMulator, options: SolveOptions, result: SolveResult) -> None:
    if options.method == "direct":
        messages = prompts.direct_messages(question, choose_exemplars(options.task, options.shots, options.cross_task))
        completion = _write(lmulator, messages, ANSWER_TOKENS, ["\nQ:"], result)
    else:
        completion = _write(lmulator, prompts.cot_messages(question, options.cot_prompt), COT_TOKENS, ["\nQ:"], result)
    result.answer, result.path = _given(completion), options.method


def _program(
    question: str,
    lmulator: LMulator,
    options: SolveOptions,
    runner: Runner,
    notify: Callable[[Event], None],
    result: SolveResult,
) -> None:
    written = write_program(question, lmulator, options)
    result.completions.append(written.completion)
    program, completion = written.program, written.completion
    result.program = program
    if written.error is not None:
        notify(Generated(program=program, prompt_tokens=completion.prompt_tokens, completion_tokens=completion.completion_tokens, origin=completion.origin, error=written.error))
        result.error = f"the program does not parse: {written.error}"
        _fallback(question, program, result.error, lmulator, result)
        return
    path = _saved(question, program, options.program_path)
    result.program_path = path
    try:
        _answered(question, program, path, lmulator, options, runner, notify, completion, result)
    finally:
        if options.program_path is None:  # a temporary copy: nobody asked to keep it
            path.unlink(missing_ok=True)
            result.program_path = None


def _answered(
    question: str,
    program: str,
    path: Path,
    lmulator: LMulator,
    options: SolveOptions,
    runner: Runner,
    notify: Callable[[Event], None],
    completion: Completion,
    result: SolveResult,
) -> None:
    """Run the saved program; when it gives no answer, the method's way of answering all the same."""
    notify(Generated(program=program, path=str(path), prompt_tokens=completion.prompt_tokens, completion_tokens=completion.completion_tokens, origin=completion.origin))
    outcome = _run(runner, path, _MODES[options.method], lmulator, notify, result)
    if (answer := _answer_of(outcome)) is not None:
        result.answer, result.path = answer, "program"
        return
    result.error = _failure(outcome)
    if options.method == "coc-try-python-except-lm":
        completion = _write(lmulator, prompts.program_answer_messages(question, program), ANSWER_TOKENS, ["\nQ:"], result)
        result.answer, result.path = _given(completion), "program-read"
        return
    if options.method == "coc-try-python-except-lm-state":
        outcome = _run(runner, path, "lm", lmulator, notify, result)
        if (answer := _answer_of(outcome)) is not None:
            result.answer, result.path = answer, "lm-rerun"
            return
        result.error = _failure(outcome)
    _fallback(question, program, result.error, lmulator, result)


def write_program(question: str, lmulator: LMulator, options: SolveOptions) -> WrittenProgram:
    """The generation half of the pipeline alone: the LM writes a program for `question` (nothing
    runs). `coc solve --write-only` and the editor's "Solve a Question" stop here."""
    shown = choose_exemplars(options.task, options.shots, options.cross_task)
    completion = lmulator.generate(prompts.program_messages(question, shown), max_tokens=PROGRAM_TOKENS, stop=[prompts.CODE_END])
    program = extract(completion.text)
    try:
        checked(program)
    except ProgramError as error:
        return WrittenProgram(program, completion, str(error))
    return WrittenProgram(program, completion)


def _write(lmulator: LMulator, messages: Messages, max_tokens: int, stop: list[str], result: SolveResult) -> Completion:
    completion = lmulator.generate(messages, max_tokens=max_tokens, stop=stop)
    result.completions.append(completion)
    return completion


def _fallback(question: str, program: str, error: str | None, lmulator: LMulator, result: SolveResult) -> None:
    """The paper's fallback: the LM answers from the question, the program and the error."""
    completion = _write(lmulator, prompts.fallback_messages(question, program, error or "unknown"), ANSWER_TOKENS, ["\nQ:"], result)
    result.answer, result.path = _given(completion), "fallback"


def _given(completion: Completion) -> str | None:
    """The answer a free-text reply gives; None when it gives none (an empty reply)."""
    return extract_answer(completion.text) or None


def _run(runner: Runner, path: Path, mode: str, lmulator: LMulator, notify: Callable[[Event], None], result: SolveResult) -> RunOutcome:
    outcome = runner(path, mode, lmulator, notify)
    result.end, result.isolation = outcome.end, outcome.isolation
    result.events += outcome.events
    return outcome


def _answer_of(outcome: RunOutcome) -> str | None:
    """The program's `answer` as text, when the run succeeded and set it."""
    end = outcome.end
    if end is None or end.status != "ok" or end.answer is None:
        return None
    try:
        value = ast.literal_eval(end.answer)
    except (ValueError, SyntaxError, TypeError, MemoryError, RecursionError):
        return end.answer
    return value if isinstance(value, str) else str(value)


def _failure(outcome: RunOutcome) -> str:
    end = outcome.end
    if end is None:
        return outcome.error or "the run ended without finishing"
    if end.status != "ok":
        return end.error or "the run failed"
    return "the program did not set `answer`"


def _saved(question: str, program: str, path: Path | None) -> Path:
    if path is None:
        handle = tempfile.NamedTemporaryFile("w", suffix=".coc.py", prefix="coc-solve-", delete=False, encoding="utf-8")
        with handle:
            handle.write(with_question(question, program))
        return Path(handle.name)
    return save(path, with_question(question, program))
