"""What writing the program in a child costs the editor's "Solve a Question" (server/solves.py).

The language server has the program written by `coc solve --write-only --json` in a supervised
child, not in its own process. This measures that child against the same generation in-process
(`solve.pipeline.write_program`), both against a scripted OpenAI-compatible endpoint on 127.0.0.1
that answers at once, so the figures are the overhead alone (a real LM adds its own seconds).
Prints a markdown table (median and p90 over N rounds).

    .venv/bin/python benchmarks/solve_child.py [--rounds 10]
"""

from __future__ import annotations

import argparse
import os
import platform
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from coc_lsp.lm.config import load_config, make_lmulator  # noqa: E402
from coc_lsp.server.runs import supervised  # noqa: E402
from coc_lsp.solve.pipeline import SolveOptions, write_program  # noqa: E402
from tests.conftest import ScriptedOpenAI  # noqa: E402

QUESTION = "How many fruits: an apple, a banana and a violin?"
PROGRAM = 'items = ["apple", "banana", "violin"]\nanswer = sum(is_fruit(i) for i in items)\n'


def quantiles(samples: list[float]) -> tuple[float, float]:
    ordered = sorted(samples)
    return statistics.median(ordered), ordered[min(len(ordered) - 1, int(0.9 * len(ordered)))]


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--rounds", type=int, default=10)
    args = parser.parse_args()
    endpoint = ScriptedOpenAI()
    endpoint.script(lambda body: PROGRAM)
    env = {**os.environ, **endpoint.env()}
    options = ["--backend", "openai", "--no-cache"]
    with tempfile.TemporaryDirectory() as folder:
        question = Path(folder) / "question.txt"
        question.write_text(QUESTION)
        child = [sys.executable, "-m", "coc_lsp", "solve", "-f", str(question), "--write-only", "--json", *options]
        rows = []
        for name, command in (("`coc solve --write-only --json`", child), ("the same under the run supervisor", supervised(child))):
            samples = []
            for _ in range(args.rounds):
                started = time.perf_counter()
                # stdin: the supervisor's lifeline, held open as the server holds it
                with subprocess.Popen(command, env=env, cwd=folder, stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True) as done:
                    out = done.stdout.read() if done.stdout else ""
                    done.wait()
                samples.append(time.perf_counter() - started)
                assert '"program"' in out, out
            rows.append((name, *quantiles(samples)))
        os.environ.update(endpoint.env())
        lmulator, _ = make_lmulator(load_config(Path(folder) / "question", {"backend": "openai", "no_cache": True}))
        samples = []
        for _ in range(args.rounds):
            started = time.perf_counter()
            write_program(QUESTION, lmulator, SolveOptions())
            samples.append(time.perf_counter() - started)
        rows.append(("`write_program()` in-process (client made once)", *quantiles(samples)))
    endpoint.close()
    print(f"{platform.node()} · {platform.processor() or platform.machine()} · {os.cpu_count()} cores · Python {platform.python_version()} · {args.rounds} rounds\n")
    print("| how the program is written | median s | p90 s |")
    print("| --- | --- | --- |")
    for name, median, p90 in rows:
        print(f"| {name} | {median:.3f} | {p90:.3f} |")


if __name__ == "__main__":
    main()
