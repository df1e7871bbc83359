"""`coc solve "QUESTION"`: an LM writes a Chain of Code program for the question; the program is
saved, run in the sandbox, and its `answer` printed (see solve/pipeline.py for the methods and the
fallback). Exit status: 0 with an answer (stdout), 1 without one, 2 for bad usage.

`--write-only` stops after the generation half: the program (with the question as its docstring) is
printed, not saved or run; with `--json` the result is one JSON object on stdout instead (what the
language server reads: {"program", "error", "backend", "origin", "promptTokens",
"completionTokens", "seconds"}; {"error", "lmError": true} when the LM could not be asked).
Exit status 0 when a program that parses was written, 1 otherwise.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from coc_lsp.cli.options import UsageError, add_backend_options, config_for, fail
from coc_lsp.solve.methods import METHODS, MODES


def add_parser(commands: argparse._SubParsersAction) -> None:
    solve = commands.add_parser("solve", help="have the LM write a Chain of Code program for a question, run it, print the answer")
    solve.add_argument("question", nargs="?", help="the question (or -f FILE, or stdin)")
    solve.add_argument("-f", "--file", metavar="FILE", help="read the question from FILE")
    solve.add_argument("--out", metavar="FILE", help="save the program here (default: a new file named after the question in the current directory)")
    solve.add_argument("--method", choices=METHODS, default="coc", help="coc (default), an ablation or a baseline")
    solve.add_argument("--task", metavar="NAME", help="show exemplars of this BIG-Bench Hard task")
    solve.add_argument("--shots", type=int, default=3, metavar="N", help="exemplars shown (0: zero-shot; default 3)")
    solve.add_argument("--cross-task", action="store_true", help="exemplars from other tasks than --task")
    solve.add_argument("--cot-prompt", metavar="FILE", help="a chain-of-thought prompt file for --method cot (BBH's cot-prompts/TASK.txt)")
    solve.add_argument("--trace", metavar="FILE", help="write the trace (generation, run, answer) as JSON lines to FILE")
    solve.add_argument("--write-only", action="store_true", help="only have the program written: print it, neither save nor run it")
    solve.add_argument("--json", action="store_true", help="with --write-only: print the result as one JSON object")
    # The editor's Solve a Question: read coc.toml / pyproject.toml for this folder, not the current one.
    solve.add_argument("--settings-from", metavar="DIR", help=argparse.SUPPRESS)
    solve.add_argument("--time-limit", type=float, default=None, metavar="SECONDS", help="wall-clock limit of the program's run (default 60)")
    add_backend_options(solve)
    solve.set_defaults(handler=solve_command)


def read_question(args: argparse.Namespace) -> str:
    if args.question and args.file:
        raise UsageError("give the question or -f FILE, not both")
    if args.file:
        try:
            text = Path(args.file).read_text(encoding="utf-8")
        except (OSError, UnicodeDecodeError) as error:
            raise UsageError(f"{args.file}: cannot be read: {error}") from None
    elif args.question:
        text = args.question
    elif not sys.stdin.isatty():
        text = sys.stdin.read()
    else:
        raise UsageError('give a question: coc solve "QUESTION", -f FILE, or on stdin')
    if not text.strip():
        raise UsageError("the question is empty")
    return text.strip()


def solve_command(args: argparse.Namespace) -> int:
    from coc_lsp.lm.config import make_lmulator
    from coc_lsp.lm.errors import LMError
    from coc_lsp.runtime.trace import TraceWriter, summary_text
    from coc_lsp.solve import exemplars
    from coc_lsp.solve.pipeline import SolveOptions, sandboxed, solve
    from coc_lsp.solve.programs import default_path
    from coc_lsp.solve.sandbox import Limits

    question = read_question(args)
    if args.task and args.task not in exemplars.tasks():
        raise UsageError(f"unknown task {args.task!r}; tasks with exemplars: {', '.join(exemplars.tasks())}")
    if args.shots < 0:
        raise UsageError("--shots must be 0 or more")
    if args.json and not args.write_only:
        raise UsageError("--json goes with --write-only")
    if args.write_only:
        if args.out or args.trace or args.method not in MODES:
            raise UsageError("--write-only writes a program only: no --out, --trace, or a method without a program")
        return _write_only(question, args)
    out = Path(args.out) if args.out else default_path(question, Path.cwd())
    if out.exists():
        raise UsageError(f"{out} exists; coc solve never overwrites a file (choose another --out)")
    if not out.parent.is_dir():
        raise UsageError(f"{out}: the directory {out.parent} does not exist")
    cot_prompt = _cot_prompt(args.cot_prompt) if args.cot_prompt else None
    config = config_for(Path(args.settings_from or Path.cwd()) / "question", args)
    trace = open(args.trace, "w", encoding="utf-8", buffering=1) if args.trace else None  # noqa: SIM115 - closed below
    writer = TraceWriter(trace)
    try:
        lmulator, description = make_lmulator(config)
        limits = Limits() if args.time_limit is None else Limits(wall_seconds=args.time_limit)
        options = SolveOptions(args.method, args.task, args.shots, args.cross_task, cot_prompt, out)
        result = solve(question, lmulator, options, sandboxed(limits), writer.write)
    except LMError as error:
        return fail(str(error), 1)
    finally:
        if trace is not None:
            trace.close()
    if result.program_path is not None:
        print(f"coc: program saved to {result.program_path}", file=sys.stderr)
    if result.isolation:
        print(f"coc: the program ran isolated: {result.isolation}", file=sys.stderr)
    if result.end is not None:
        print(summary_text(result.end), file=sys.stderr)
    if result.error:
        print(f"coc: the program did not give the answer: {result.error}", file=sys.stderr)
    how = f"answer by {result.path}" if result.answer is not None else f"no answer: the {result.path} reply gave none"
    print(f"coc: {how} ({result.method}; backend: {description}; {result.lm_calls} LM calls, {result.tokens} tokens, {result.seconds:.2f} s)", file=sys.stderr)
    if result.answer is None:
        return 1
    print(result.answer)
    return 0


def _write_only(question: str, args: argparse.Namespace) -> int:
    import json
    import time

    from coc_lsp.lm.config import make_lmulator
    from coc_lsp.lm.errors import LMError
    from coc_lsp.solve.pipeline import SolveOptions, write_program
    from coc_lsp.solve.programs import with_question

    config = config_for(Path(args.settings_from or Path.cwd()) / "question", args)
    started = time.perf_counter()
    try:
        lmulator, description = make_lmulator(config)
        written = write_program(question, lmulator, SolveOptions(args.method, args.task, args.shots, args.cross_task))
    except LMError as error:
        if args.json:
            print(json.dumps({"error": str(error), "lmError": True}))
            return 1
        return fail(str(error), 1)
    if args.json:
        completion = written.completion
        print(json.dumps({
            "program": written.program,
            "error": written.error,
            "backend": description,
            "origin": completion.origin,
            "promptTokens": completion.prompt_tokens,
            "completionTokens": completion.completion_tokens,
            "seconds": round(time.perf_counter() - started, 4),
        }))
    else:
        if written.program:
            print(with_question(question, written.program), end="")
        if written.error:
            print(f"coc: the program does not parse: {written.error}", file=sys.stderr)
    return 1 if written.error else 0


def _cot_prompt(path: str) -> str:
    try:
        text = Path(path).read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as error:
        raise UsageError(f"{path}: cannot be read: {error}") from None
    from coc_lsp.solve.prompts import bbh_cot_exemplars

    return bbh_cot_exemplars(text)
