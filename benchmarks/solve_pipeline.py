"""`coc solve`'s pipeline on a small fixed set of BIG-Bench Hard questions.

    .venv/bin/python benchmarks/solve_pipeline.py [--embedded-only | --scripted-only] [--model-path FILE.gguf]

The questions: examples 0 and 1 of five task files (QUESTIONS below), read from $COC_BBH_DIR or
../shared/bbh beside the clone. Each is solved by `coc_lsp.solve.pipeline.solve()`, the function
`coc solve` calls, with method `coc`, the task's own three exemplars, no cache, and every program
run in the sandbox.

Part 1, the embedded model (SmolLM2-135M through llama.cpp) writes and emulates: how often its
program parses, how often it runs to an `answer`, how often the fallback answers, accuracy, LM
calls, tokens and seconds per question.

Part 2, a scripted OpenAI-compatible endpoint on 127.0.0.1 (tests/conftest.py's, reached by the
real `openai` client) returns known-good programs for the same questions
(benchmarks/data/solve_programs.toml) and the answers of their semantic calls: every program is
right, so every wrong answer is the pipeline's (extraction, saving, sandbox, executor). That
count must be zero.

Prints markdown tables; docs/benchmarks.md records them.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import re
import statistics
import sys
import tempfile
from dataclasses import dataclass
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from coc_lsp.lm.config import load_config, make_lmulator  # noqa: E402
from coc_lsp.lm.errors import LMError  # noqa: E402
from coc_lsp.runtime.trace import Event, Generated  # noqa: E402
from coc_lsp.solve.exemplars import tomllib  # noqa: E402
from coc_lsp.solve.pipeline import SolveOptions, SolveResult, sandboxed, solve  # noqa: E402
from coc_lsp.solve.sandbox import Limits, isolation  # noqa: E402

QUESTIONS = [
    (task, index)
    for task in ("object_counting", "navigate", "date_understanding", "sports_understanding", "web_of_lies")
    for index in (0, 1)
]
PROGRAMS = ROOT / "benchmarks" / "data" / "solve_programs.toml"
LIMITS = Limits(wall_seconds=60)


@dataclass
class Question:
    task: str
    index: int
    text: str
    target: str


@dataclass
class Outcome:
    question: Question
    result: SolveResult
    parsed: bool

    @property
    def correct(self) -> bool:
        return matches(self.result.answer, self.question.target)


def bbh_dir() -> Path:
    return Path(os.environ.get("COC_BBH_DIR") or ROOT.parent / "shared" / "bbh")


def load_questions() -> list[Question]:
    directory = bbh_dir() / "bbh"
    if not directory.is_dir():
        sys.exit(f"solve_pipeline: no BIG-Bench Hard data at {directory} (set COC_BBH_DIR to a checkout of suzgunmirac/BIG-Bench-Hard)")
    found = []
    for task, index in QUESTIONS:
        example = json.loads((directory / f"{task}.json").read_text())["examples"][index]
        found.append(Question(task, index, example["input"].strip(), example["target"]))
    return found


def matches(answer: str | None, target: str) -> bool:
    """The answer is the target, ignoring case, surrounding space and quotes, and the parentheses
    of an option label (`B` for `(B)`)."""
    if answer is None:
        return False

    def normal(text: str) -> str:
        return text.strip().strip("\"'").casefold()

    return normal(answer) in (normal(target), normal(target).strip("()"))


def solve_all(questions: list[Question], overrides: dict[str, Any], directory: Path) -> list[Outcome]:
    directory.mkdir(parents=True, exist_ok=True)
    config = load_config(directory / "question", {"no_cache": True, **overrides})
    lmulator, _ = make_lmulator(config)
    runner = sandboxed(LIMITS)
    outcomes = []
    for number, question in enumerate(questions):
        generated: list[Generated] = []

        def on_event(event: Event, generated: list[Generated] = generated) -> None:
            if isinstance(event, Generated):
                generated.append(event)

        options = SolveOptions("coc", question.task, 3, False, None, directory / f"q{number}-{question.task}-{question.index}.coc.py")
        try:
            result = solve(question.text, lmulator, options, runner, on_event)
        except LMError as error:  # counted as a question without an answer, and said
            result = SolveResult(question.text, "coc", None, "error", error=str(error))
        outcomes.append(Outcome(question, result, bool(generated) and generated[0].error is None))
        print(f"  {question.task} {question.index}: {result.path} -> {result.answer!r} (target {question.target!r}, {result.seconds:.1f} s)", file=sys.stderr, flush=True)
    return outcomes


def per_question_table(outcomes: list[Outcome]) -> None:
    print("| task | # | parses | runs to `answer` | why not | path | answer | target | right | LM calls | tokens | s |")
    print("| --- | ---: | :---: | :---: | --- | --- | --- | --- | :---: | ---: | ---: | ---: |")
    for o in outcomes:
        r = o.result
        shown = "–" if r.answer is None else f"`{r.answer[:30]}`"
        print(
            f"| {o.question.task} | {o.question.index} | {yes(o.parsed)} | {yes(r.path == 'program')} | {why_not(r)} | {r.path}"
            f" | {shown} | `{o.question.target}` | {yes(o.correct)} | {r.lm_calls} | {r.tokens} | {r.seconds:.1f} |"
        )


def why_not(result: SolveResult) -> str:
    """The cause of the program's failure, short: the exception's name, or what the message says."""
    if not result.error:
        return ""
    found = re.search(r"\b([A-Z][A-Za-z]*(?:Error|Exception))\b", result.error)
    return found.group(1) if found else result.error.split(": ")[-1][:40].replace("|", "/")


def summary_table(label: str, outcomes: list[Outcome]) -> None:
    count = len(outcomes)
    results = [o.result for o in outcomes]
    print(f"| {label} | questions | parses | runs to `answer` | fallback | accuracy | LM calls / q | tokens / q | s / q (median) |")
    print("| --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: |")
    print(
        f"| | {count} | {sum(o.parsed for o in outcomes)}/{count} | {sum(r.path == 'program' for r in results)}/{count}"
        f" | {sum(r.path == 'fallback' for r in results)}/{count} | {sum(o.correct for o in outcomes)}/{count}"
        f" | {statistics.mean(r.lm_calls for r in results):.1f} | {statistics.mean(r.tokens for r in results):.0f}"
        f" | {statistics.median(r.seconds for r in results):.1f} |"
    )


def yes(flag: bool) -> str:
    return "yes" if flag else "no"


def embedded(questions: list[Question], model_path: str | None, directory: Path) -> None:
    overrides: dict[str, Any] = {"backend": "embedded"}
    if model_path:
        overrides["model_path"] = model_path
    print("## The embedded model writes and emulates\n")
    outcomes = solve_all(questions, overrides, directory)
    per_question_table(outcomes)
    print()
    summary_table("embedded", outcomes)
    print()


def scripted(questions: list[Question], directory: Path) -> int:
    from tests.conftest import ScriptedOpenAI
    from tests.solve.scripted_solver import SolverScript

    data = tomllib.loads(PROGRAMS.read_text(encoding="utf-8"))["question"]
    known = {(item["task"], item["index"]): item for item in data}
    script = SolverScript()
    for question in questions:
        item = known[(question.task, question.index)]
        script.by_question[question.text] = item["program"].strip("\n") + "\n"
        script.calls.update(item.get("calls", {}))
    server = ScriptedOpenAI()
    server.script(script)
    saved = {name: os.environ.pop(name, None) for name in ("OPENAI_API_KEY", "OPENAI_BASE_URL")}
    try:
        os.environ["OPENAI_API_KEY"] = "sk-bench-scripted"
        outcomes = solve_all(questions, {"backend": "openai", "base_url": server.base_url, "model": "scripted"}, directory)
    finally:
        server.close()
        for name, value in saved.items():
            os.environ.pop(name, None)
            if value is not None:
                os.environ[name] = value
    print("## A scripted endpoint returns known-good programs\n")
    per_question_table(outcomes)
    print()
    summary_table("scripted", outcomes)
    wrong = [o for o in outcomes if not o.correct]
    print(f"\nWrong answers with a known-good program (the pipeline's errors): {len(wrong)}")
    for o in wrong:
        print(f"- {o.question.task} {o.question.index}: {o.result.path}: {o.result.error}")
    return len(wrong)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--embedded-only", action="store_true")
    parser.add_argument("--scripted-only", action="store_true")
    parser.add_argument("--model-path", help="a GGUF file for the embedded backend")
    args = parser.parse_args()
    questions = load_questions()
    print(f"Machine: {platform.machine()}, {os.cpu_count()} CPUs, Python {platform.python_version()}; sandbox: {isolation().describe().splitlines()[0]}\n")
    wrong = 0
    with tempfile.TemporaryDirectory(prefix="coc-solve-bench-") as directory:
        if not args.scripted_only:
            embedded(questions, args.model_path, Path(directory) / "embedded")
        if not args.embedded_only:
            wrong = scripted(questions, Path(directory) / "scripted")
    return 1 if wrong else 0


if __name__ == "__main__":
    sys.exit(main())
