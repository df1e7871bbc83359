"""`coc bench bbh --jobs N` against a local scripted endpoint that answers every request in a fixed
time (default 200 ms): wall time of --jobs 1 against --jobs 8 and the speedup, per method; then the
harness's own cost per question with an endpoint that answers at once (no LM time), from the time
the command says its items took (start-up, importing the client and the report excluded).

    .venv/bin/python benchmarks/bench_jobs.py [--questions 40] [--delay 0.2] [--jobs 8] [--methods direct,coc]

The endpoint is tests/conftest.py's ScriptedOpenAI (the tests' one test double at the network edge):
`direct` is one request per question; `coc` is one request (the program) plus the program's run in
the sandbox. Every run gets a fresh cache, so every answer is asked of the endpoint. Needs BIG-Bench
Hard at ../shared/bbh or $COC_BBH_DIR.
"""

from __future__ import annotations

import argparse
import os
import re
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from coc_lsp.bench.data import open_dataset  # noqa: E402
from coc_lsp.solve.prompts import FEW_SHOT_INSTRUCTION  # noqa: E402
from tests.conftest import ScriptedOpenAI  # noqa: E402

BBH = Path(os.environ.get("COC_BBH_DIR") or ROOT.parent / "shared" / "bbh")
TASK = "boolean_expressions"


def answerer(targets: dict[str, str]) -> Any:
    """Right answers: the target for `direct`, a Python program for `coc`."""

    def answer(body: Any) -> str:
        messages = body["messages"]
        system = next((m["content"] for m in messages if m["role"] == "system"), "")
        question = messages[-1]["content"].rsplit("Q: ", 1)[1].split("\n", 1)[0]
        if system == FEW_SHOT_INSTRUCTION:
            expression = re.sub(r"\s*is\s*$", "", question)
            return f"answer = str({expression})\n# CODE END"
        return f"the answer is {targets.get(question, 'True')}"

    return answer


def run(server: ScriptedOpenAI, work: Path, name: str, method: str, questions: int, jobs: int) -> tuple[float, float, str]:
    """(the command's wall time, the time it says it spent running the items, accuracy)."""
    command = [
        sys.executable, "-m", "coc_lsp", "bench", "bbh", "--data", str(BBH), "--tasks", TASK, "--limit", str(questions),
        "--methods", method, "--jobs", str(jobs), "--out", str(work / name), "--backend", "openai", "--model", "scripted",
        "--base-url", server.base_url, "--cache-dir", str(work / name),
    ]  # fmt: skip
    started = time.perf_counter()
    done = subprocess.run(command, capture_output=True, text=True, env={**os.environ, "OPENAI_API_KEY": "unused"}, check=False)
    seconds = time.perf_counter() - started
    if done.returncode != 0:
        raise SystemExit(f"{name}: exit {done.returncode}\n{done.stderr[-2000:]}")
    accuracy = re.search(rf"\| {re.escape(method)} \| 1 \| \d+ \| ([\d.]+) \|", (work / name / "report.md").read_text())
    running = re.search(r"coc: recorded \d+ items in ([\d.]+) s", done.stderr)
    return seconds, float(running.group(1)) if running else float("nan"), accuracy.group(1) if accuracy else "?"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--questions", type=int, default=40)
    parser.add_argument("--delay", type=float, default=0.2)
    parser.add_argument("--jobs", type=int, default=8)
    parser.add_argument("--methods", default="direct,coc")
    args = parser.parse_args()
    targets = {q.input: q.target for q in open_dataset(BBH).questions(TASK)}
    server = ScriptedOpenAI()
    server.script(answerer(targets))
    try:
        with tempfile.TemporaryDirectory(prefix="coc-bench-jobs-") as folder:
            work = Path(folder)
            print(f"{args.questions} questions of {TASK}; endpoint answers in {args.delay * 1000:.0f} ms\n")
            print("Wall time of the whole command (start-up, importing the client, the report and chart included),")
            print("and of running the items alone (as the command reports it):\n")
            print(f"| method | --jobs 1 s | --jobs {args.jobs} s | speedup | items alone: --jobs 1 s | --jobs {args.jobs} s | speedup | accuracy % |")
            print("| --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: |")
            for method in args.methods.split(","):
                server.delay = args.delay
                one, one_items, accuracy = run(server, work, f"{method}-1", method, args.questions, 1)
                many, many_items, _ = run(server, work, f"{method}-{args.jobs}", method, args.questions, args.jobs)
                print(
                    f"| {method} | {one:.2f} | {many:.2f} | {one / many:.2f}x | {one_items:.2f} | {many_items:.2f} |"
                    f" {one_items / many_items:.2f}x | {accuracy} |",
                    flush=True,
                )
            print("\nHarness overhead per question, --jobs 1, endpoint answering at once (no LM time but the local")
            print("HTTP exchange): the items' own time over N, start-up and report excluded\n")
            print("| method | items s | per question ms |")
            print("| --- | ---: | ---: |")
            for method in args.methods.split(","):
                server.delay = 0.0
                _, items, _ = run(server, work, f"{method}-fast", method, args.questions, 1)
                print(f"| {method} | {items:.2f} | {1000 * items / args.questions:.0f} |", flush=True)
            print(f"\nrequests served: {server.calls}")
    finally:
        server.close()


if __name__ == "__main__":
    main()
