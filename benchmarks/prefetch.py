"""A loop's semantic calls asked one by one vs ahead, concurrently (issue 15).

`coc run` (a child process, the real `openai` client) against a scripted OpenAI-compatible endpoint
on 127.0.0.1 that answers every request after `--delay` seconds (default 0.3) and counts the
requests it holds at once. Programs: 30 calls of a semantic function in a `for` loop, the same as
a list comprehension, and a loop that breaks after its 5th call (how many calls asking ahead costs
for nothing), each after a warm-up line of 16 calls. Each is run with `--no-prefetch` and with
`--max-in-flight N`; the outputs must agree. "calls s" is the time from the first of the measured
calls asked to the last answered; "wall s" is the whole run, with what every run pays alike
(starting Python, importing `openai`, making each asking thread's client) and the warm-up; "CPU s"
the run's user + system time. The request counts are the whole run's, warm-up (16) included.

Usage: python benchmarks/prefetch.py [--delay S] [--in-flight 4 8 16] [--rounds N]
"""

from __future__ import annotations

import argparse
import ast
import json
import platform
import re
import resource
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from tests.conftest import ScriptedOpenAI  # noqa: E402 - after the path is set

WORDS = [f"word{i:02d}" + "x" * (i % 7) for i in range(30)]
# Line 1 warms up: 16 calls, so that `openai` is imported and each asking thread has its client.
WARM_UP = f"print(sum(size_of(w) for w in {[f'warm{i}' for i in range(16)]!r}))\n"
MEASURED_LINE = 5  # the line of the calls measured, in every program
PROGRAMS = {
    "for loop, 30 calls": WARM_UP + f"words = {WORDS!r}\nlong = 0\nfor w in words:\n    if is_long(w):\n        long += 1\n"
    "print(long)\n",
    "comprehension, 30 calls": WARM_UP + f"words = {WORDS!r}\n\n\nprint(sum([size_of(w) for w in words]))\n",
    "break after 5 of 30": WARM_UP + f"words = {WORDS!r}\nseen = 0\nfor w in words:\n    seen += size_of(w)\n"
    "    if seen > 35:\n        break\nprint(seen)\n",
}
_CALL = re.compile(r"^Call: (.*)$", re.MULTILINE)


class Endpoint:
    """Answers `is_long(w)` / `size_of(w)` from the prompt's call, counting requests in flight."""

    def __init__(self, delay: float) -> None:
        self.server = ScriptedOpenAI()
        self.delay = delay
        self.server.script(self.answer)
        self.lock = threading.Lock()
        self.now = self.peak = self.calls = 0

    def answer(self, body: dict[str, Any]) -> Any:
        call = ast.parse(_CALL.search(body["messages"][-1]["content"])[1], mode="eval").body  # type: ignore[index]
        word = ast.literal_eval(call.args[0])  # type: ignore[attr-defined]
        with self.lock:
            self.calls += 1
            self.now += 1
            self.peak = max(self.peak, self.now)
        time.sleep(self.delay)  # each request has a handler thread of its own
        with self.lock:
            self.now -= 1
        return {"value": len(word) > 8 if call.func.id == "is_long" else len(word)}  # type: ignore[attr-defined]

    def reset(self) -> None:
        with self.lock:
            self.peak = self.calls = 0


def run(endpoint: Endpoint, program: Path, options: list[str]) -> tuple[float, float, float, str, dict[str, Any]]:
    """(wall seconds, seconds from the first `emulating` event of the measured calls to their
    last emulation, CPU seconds, program output, the end event's totals) of one `coc run`."""
    trace = program.with_suffix(".jsonl")
    command = [sys.executable, "-m", "coc_lsp", "run", str(program), "--base-url", endpoint.server.base_url, "--model", "scripted"]
    command += ["--no-cache", "--quiet", "--trace", str(trace), *options]
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    started = time.perf_counter()
    done = subprocess.run(command, capture_output=True, text=True, cwd=ROOT, check=False)
    wall = time.perf_counter() - started
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    cpu = after.ru_utime + after.ru_stime - before.ru_utime - before.ru_stime
    if done.returncode != 0:
        raise SystemExit(f"{command} failed: {done.stderr}")
    events = [json.loads(line) for line in trace.read_text().splitlines()]
    measured = [e for e in events if e.get("line") == MEASURED_LINE]
    first = min(e["t"] for e in measured if e["event"] == "emulating")
    last = max(e["t"] for e in measured if e["event"] == "emulation")
    return wall, last - first, cpu, done.stdout, events[-1]["totals"]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--delay", type=float, default=0.3)
    parser.add_argument("--in-flight", type=int, nargs="+", default=[4, 8, 16])
    parser.add_argument("--rounds", type=int, default=3)
    args = parser.parse_args()
    endpoint = Endpoint(args.delay)
    settings = [("one by one (--no-prefetch)", ["--no-prefetch"])] + [
        (f"ahead, --max-in-flight {n}", ["--max-in-flight", str(n)]) for n in args.in_flight
    ]
    print(f"endpoint answers in {args.delay * 1000:.0f} ms; {args.rounds} rounds, median wall time")
    print(f"python {platform.python_version()}, {platform.machine()}, {platform.system()}\n")
    print("| program | how | wall s | calls s | CPU s | LM requests | used | unused | most in flight |")
    print("| --- | --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: |")
    try:
        with tempfile.TemporaryDirectory() as work:
            for name, source in PROGRAMS.items():
                assert "size_of(w)" in source.splitlines()[MEASURED_LINE - 1] or "is_long(w)" in source.splitlines()[MEASURED_LINE - 1]
                program = Path(work) / "loop.coc.py"
                program.write_text(source)
                outputs = set()
                for how, options in settings:
                    walls, spans, cpus = [], [], []
                    for _ in range(args.rounds):
                        endpoint.reset()
                        wall, span, cpu, output, totals = run(endpoint, program, options)
                        walls.append(wall)
                        spans.append(span)
                        cpus.append(cpu)
                        outputs.add(output)
                    used = totals["lm_calls"]
                    wall_s, span_s = f"{statistics.median(walls):.2f}", f"{statistics.median(spans):.2f}"
                    row = [name, how, wall_s, span_s, f"{statistics.median(cpus):.2f}", endpoint.calls, used, totals["prefetched_unused"], endpoint.peak]
                    print("| " + " | ".join(map(str, row)) + " |")
                if len(outputs) != 1:
                    raise SystemExit(f"{name}: the runs disagree: {outputs}")
    finally:
        endpoint.server.close()


if __name__ == "__main__":
    main()
