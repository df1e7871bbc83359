"""`coc bench bbh --data DIR --out DIR`: BIG-Bench Hard through `coc solve`'s pipeline, scored,
resumable, reported; `coc bench report DIR` renders the report again.

Exit status: 0 when every item is recorded, 1 when some were left for the next run (the LM
failed, or the run was stopped: 130 after Ctrl-C or SIGTERM), 2 for bad usage or bad data.
"""

from __future__ import annotations

import argparse
import signal
import sys
import time
from pathlib import Path
from typing import Any

from coc_lsp.cli.options import UsageError, add_backend_options, config_for, fail
from coc_lsp.solve.methods import METHODS

DEFAULT_METHODS = "direct,cot,coc"
INTERRUPTED = 130


def add_parser(commands: argparse._SubParsersAction) -> None:
    bench = commands.add_parser("bench", help="benchmark Chain of Code on BIG-Bench Hard")
    kinds = bench.add_subparsers(dest="bench_command", required=True)
    bbh = kinds.add_parser("bbh", help="run BIG-Bench Hard questions through the methods, score and report them")
    bbh.add_argument("--data", required=True, metavar="DIR", help="BIG-Bench Hard's bbh/ folder (or the folder holding it and cot-prompts/)")
    bbh.add_argument("--out", required=True, metavar="DIR", help="results.jsonl, report.md, results.csv, programs/ go here; a stopped run resumes from it")
    bbh.add_argument("--tasks", nargs="+", metavar="TASK", help="task names or globs, space- or comma-separated (default: all)")
    bbh.add_argument("--limit", type=int, metavar="N", help="at most N questions per task, drawn with --seed (default: all)")
    bbh.add_argument("--seed", type=int, default=0, help="which questions --limit draws (default 0)")
    bbh.add_argument("--methods", nargs="+", metavar="METHOD", help=f"any of {', '.join(METHODS)} (default {DEFAULT_METHODS})")
    bbh.add_argument("--shots", type=int, default=3, metavar="N", help="exemplars shown (default 3)")
    bbh.add_argument("--cross-task", action="store_true", help="exemplars from other tasks (the paper's cross-task setting)")
    bbh.add_argument("--jobs", type=int, default=1, metavar="N", help="questions solved at once (default 1)")
    bbh.add_argument("--time-limit", type=float, default=None, metavar="SECONDS", help="wall-clock limit of each program's run (default 60)")
    add_backend_options(bbh)
    bbh.set_defaults(handler=bbh_command)
    report = kinds.add_parser("report", help="render report.md, results.csv (and accuracy.png) of a run folder again")
    report.add_argument("folder", metavar="DIR", help="the --out folder of a `coc bench bbh` run")
    report.set_defaults(handler=report_command)


def _names(values: list[str] | None) -> list[str]:
    return [name for value in values or [] for name in value.split(",") if name.strip()]


def bbh_command(args: argparse.Namespace) -> int:
    from coc_lsp.bench.progress import Progress
    from coc_lsp.bench.results import Results, ResultsError
    from coc_lsp.bench.runner import BenchRunner, Item
    from coc_lsp.lm.config import make_lmulator
    from coc_lsp.lm.errors import LMError
    from coc_lsp.lm.openai_backend import OpenAIBackend
    from coc_lsp.solve.pipeline import sandboxed
    from coc_lsp.solve.sandbox import Limits, isolation

    methods = _names(args.methods) or DEFAULT_METHODS.split(",")
    unknown = [m for m in methods if m not in METHODS]
    if unknown:
        raise UsageError(f"unknown method {unknown[0]!r}; choose from {', '.join(METHODS)}")
    methods = list(dict.fromkeys(methods))
    if args.limit is not None and args.limit < 1:
        raise UsageError("--limit must be 1 or more")
    if args.shots < 0 or args.jobs < 1:
        raise UsageError("--shots must be 0 or more and --jobs 1 or more")
    config = config_for(Path.cwd() / "bench", args)
    dataset, questions, cot_prompts = _load(args, methods)
    tasks = list(questions)
    try:
        lmulator, description = make_lmulator(config)
    except LMError as error:
        return fail(str(error))
    settings = {
        "backend": lmulator.identity,
        "backend_description": description,
        "shots": args.shots,
        "cross_task": args.cross_task,
        "seed": args.seed,
        "limit": args.limit,
        "data": str(dataset.tasks_dir),
        "methods": methods,
        "tasks": tasks,
    }
    out = Path(args.out)
    try:
        results = Results(out, settings)
    except ResultsError as error:
        raise UsageError(str(error)) from None
    # Round-robin over tasks, question by question: a run stopped early covers every task and method.
    depth = max((len(qs) for qs in questions.values()), default=0)
    items = [Item(questions[t][n], m) for n in range(depth) for t in tasks if n < len(questions[t]) for m in methods]
    recorded = [results.records[item.key] for item in items if results.done(item.key)]
    if any(m != "direct" and m != "cot" for m in methods):
        iso = isolation()  # probed once here, before the threads start
        print(f"coc: programs run isolated: {iso.describe()}", file=sys.stderr)
    limits = Limits() if args.time_limit is None else Limits(wall_seconds=args.time_limit)
    progress = Progress(len(items), len(recorded), sum(bool(r.get("correct")) for r in recorded), sys.stderr)
    runner = BenchRunner(
        lmulator, lambda cancel: sandboxed(limits, cancel), results, jobs=args.jobs, shots=args.shots,
        cross_task=args.cross_task, cot_prompts=cot_prompts, on_record=progress.update,
    )  # fmt: skip
    pending = len(runner.pending(items))
    print(
        f"coc: {len(items)} items ({len(tasks)} tasks x {len(methods)} methods), {len(items) - pending} already in"
        f" {out / 'results.jsonl'}, {pending} to run on {args.jobs} job{'s' if args.jobs != 1 else ''}; backend: {description}",
        file=sys.stderr,
    )
    if isinstance(lmulator.backend, OpenAIBackend):
        import openai  # noqa: F401 - imported once here (seconds on a busy machine), not by the first item

    previous = signal.signal(signal.SIGTERM, _interrupt)
    started = time.perf_counter()
    try:
        outcome = runner.run(items)
    finally:
        signal.signal(signal.SIGTERM, previous)
        progress.close()
    print(f"coc: recorded {outcome.finished} items in {time.perf_counter() - started:.2f} s", file=sys.stderr)
    for line in outcome.failed[:10]:
        print(f"coc: not recorded (to do again): {line}", file=sys.stderr)
    if len(outcome.failed) > 10:
        print(f"coc: ... and {len(outcome.failed) - 10} more not recorded", file=sys.stderr)
    _render(out)
    if outcome.interrupted:
        print(f"coc: stopped; {outcome.finished} recorded this run; run the same command again to resume", file=sys.stderr)
        return INTERRUPTED
    if outcome.aborted:
        return fail(f"the LM kept failing, so the run stopped: {outcome.aborted}", 1)
    return 1 if outcome.failed else 0


def _load(args: argparse.Namespace, methods: list[str]) -> tuple[Any, dict[str, list[Any]], dict[str, str]]:
    """(the dataset, task -> the questions drawn, task -> its cot prompt when `cot` runs), checked."""
    from coc_lsp.bench.data import DataError, open_dataset, sample

    try:
        dataset = open_dataset(args.data)
        tasks = dataset.select(_names(args.tasks) or None)
        questions = {task: sample(dataset.questions(task), args.limit, args.seed) for task in tasks}
        cot_prompts = {task: dataset.cot_prompt(task) for task in tasks} if "cot" in methods else {}
    except DataError as error:
        raise UsageError(str(error)) from None
    return dataset, questions, cot_prompts


def report_command(args: argparse.Namespace) -> int:
    from coc_lsp.bench.results import ResultsError

    try:
        _render(Path(args.folder))
    except ResultsError as error:
        raise UsageError(str(error)) from None
    return 0


def _render(folder: Path) -> None:
    from coc_lsp.bench.report import write_report

    written, note = write_report(folder)
    print(f"coc: report: {', '.join(str(path) for path in written)}", file=sys.stderr)
    if note:
        print(f"coc: {note}", file=sys.stderr)


def _interrupt(number: int, frame: Any) -> None:
    raise KeyboardInterrupt
