"""`coc bench bbh` end to end: the real CLI in a subprocess, the real openai client over HTTP to a
scripted endpoint on 127.0.0.1 (tests/conftest.py), programs in the real sandbox."""

from __future__ import annotations

import csv
import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

import pytest

from tests.bench.scripted_bbh import EXPECTED, QUESTIONS, TASKS, answerer, classify, make_data, method_of

METHODS = "direct,cot,coc"
KEY = "sk-test-bench-secret"


def bench(scripted_openai: Any, data: Path, out: Path, cache: Path, *more: str) -> list[str]:
    return [
        sys.executable, "-m", "coc_lsp", "bench", "bbh", "--data", str(data), "--out", str(out), "--methods", METHODS,
        "--backend", "openai", "--model", "scripted", "--base-url", scripted_openai.base_url, "--cache-dir", str(cache), *more,
    ]  # fmt: skip


def environment() -> dict[str, str]:
    return {**os.environ, "OPENAI_API_KEY": KEY}


def records(out: Path) -> list[dict[str, Any]]:
    return [json.loads(line) for line in (out / "results.jsonl").read_text(encoding="utf-8").splitlines()]


def comparable(rows: list[dict[str, Any]]) -> list[dict[str, Any]]:
    return sorted(({k: v for k, v in r.items() if k != "seconds"} for r in rows), key=lambda r: r["key"])


@pytest.fixture
def data(tmp_path: Path) -> tuple[Path, dict[str, tuple[str, int, str]]]:
    folder = tmp_path / "data"
    return folder, make_data(folder)


def test_known_answers_give_exact_accuracies_in_the_report(scripted_openai: Any, data: Any, tmp_path: Path) -> None:
    folder, known = data
    scripted_openai.script(answerer(known))
    out = tmp_path / "out"
    done = subprocess.run(bench(scripted_openai, folder, out, tmp_path / "cache"), env=environment(), capture_output=True, text=True, timeout=300)
    assert done.returncode == 0, done.stderr
    rows = records(out)
    assert len(rows) == len(TASKS) * QUESTIONS * 3 and len({r["key"] for r in rows}) == len(rows)
    for (task, method), (right, strict) in EXPECTED.items():
        mine = [r for r in rows if r["task"] == task and r["method"] == method]
        assert (sum(r["correct"] for r in mine), sum(r["strict"] for r in mine)) == (right, strict), (task, method)
    failed = [r for r in rows if r["failures"]]
    assert {(r["task"], r["index"], r["method"], tuple(r["failures"])) for r in failed} == {
        (task, 2, "coc", ("parse", "fallback")) for task in TASKS
    }
    assert all(r["lm_calls"] == (2 if r["failures"] else 1) for r in rows)  # program + fallback, or one answer
    assert (out / "programs" / "boolean_expressions" / "0.coc.coc.py").is_file()

    report = (out / "report.md").read_text(encoding="utf-8")
    assert "| direct | 2 | 6 | 16.7 | 0.0 | 44.0 | 55 |" in report  # paper: (88 + 0) / 2 over the same tasks
    assert "| cot | 2 | 6 | 100.0 | 100.0 | 68.5 | 72 |" in report
    assert "| coc | 2 | 6 | 66.7 | 66.7 | 100.0 | 84 |" in report
    assert "| boolean_expressions | 3 | 33.3 / 88 | 100.0 / 89 | 66.7 / 100 |" in report
    assert "| coc | 6 | 1.33 |" in report and "arXiv:2312.04474" in report
    table = list(csv.DictReader((out / "results.csv").open(encoding="utf-8")))
    coc = next(r for r in table if r["task"] == "multistep_arithmetic_two" and r["method"] == "coc")
    assert (coc["correct"], coc["accuracy"], coc["paper_accuracy"], coc["failed_parse"], coc["failed_fallback"]) == ("2", "66.67", "100", "1", "1")
    macro = next(r for r in table if r["task"] == "macro_average" and r["method"] == "direct")
    assert macro["accuracy"] == "16.67" and macro["paper_accuracy"] == "55"
    assert (out / "accuracy.png").read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
    for path in out.rglob("*"):
        assert path.is_dir() or KEY.encode() not in path.read_bytes(), path
    assert KEY not in done.stderr

    # Nothing left to do: a second run asks nothing; `coc bench report` renders the same report.
    before = scripted_openai.calls
    again = subprocess.run(bench(scripted_openai, folder, out, tmp_path / "cache"), env=environment(), capture_output=True, text=True, timeout=120)
    assert again.returncode == 0 and scripted_openai.calls == before and len(records(out)) == len(rows)
    (out / "report.md").unlink()
    rendered = subprocess.run([sys.executable, "-m", "coc_lsp", "bench", "report", str(out)], capture_output=True, text=True, timeout=120)
    assert rendered.returncode == 0, rendered.stderr
    strip = lambda text: [line for line in text.splitlines() if not line.startswith("Rendered ")]  # noqa: E731
    assert strip((out / "report.md").read_text(encoding="utf-8")) == strip(report)


def test_jobs_4_gives_the_results_of_jobs_1(scripted_openai: Any, data: Any, tmp_path: Path) -> None:
    folder, known = data
    scripted_openai.script(answerer(known))
    scripted_openai.delay = 0.05
    outs = {}
    for jobs in (1, 4):
        out = tmp_path / f"out{jobs}"
        done = subprocess.run(
            bench(scripted_openai, folder, out, tmp_path / f"cache{jobs}", "--jobs", str(jobs)),
            env=environment(), capture_output=True, text=True, timeout=300,
        )  # fmt: skip
        assert done.returncode == 0, done.stderr
        outs[jobs] = records(out)
    assert comparable(outs[1]) == comparable(outs[4])
    assert len(outs[4]) == len(TASKS) * QUESTIONS * 3


@pytest.mark.parametrize("stop", [signal.SIGINT, signal.SIGKILL])
def test_a_stopped_run_resumes_and_repeats_no_finished_question(scripted_openai: Any, data: Any, tmp_path: Path, stop: int) -> None:
    folder, known = data
    scripted_openai.script(answerer(known))
    scripted_openai.delay = 0.3
    out, cache = tmp_path / "out", tmp_path / "cache"
    first = subprocess.Popen(bench(scripted_openai, folder, out, cache, "--jobs", "2"), env=environment(), stderr=subprocess.PIPE, text=True)
    results = out / "results.jsonl"
    deadline = time.monotonic() + 120
    while time.monotonic() < deadline and (not results.exists() or results.read_text().count("\n") < 4):
        time.sleep(0.05)
    first.send_signal(stop)
    _, stderr = first.communicate(timeout=60)
    if stop == signal.SIGINT:
        assert first.returncode == 130, stderr
        assert "run the same command again to resume" in stderr
    finished = {(r["task"], r["index"], r["method"]) for r in records(out)}
    assert 4 <= len(finished) < len(TASKS) * QUESTIONS * 3
    asked_before = scripted_openai.calls

    second = subprocess.run(bench(scripted_openai, folder, out, cache, "--jobs", "2"), env=environment(), capture_output=True, text=True, timeout=300)
    assert second.returncode == 0, second.stderr
    rows = records(out)
    assert len(rows) == len(TASKS) * QUESTIONS * 3 and len({r["key"] for r in rows}) == len(rows)
    for request in scripted_openai.requests[asked_before:]:
        kind, task, index, _, _ = classify(request.json, known)
        assert (task, index, method_of(kind)) not in finished, request.json
    for (task, method), (right, strict) in EXPECTED.items():
        mine = [r for r in rows if r["task"] == task and r["method"] == method]
        assert sum(r["correct"] for r in mine) == right and sum(r["strict"] for r in mine) == strict


def test_bad_data_and_usage_are_clear_errors(tmp_path: Path) -> None:
    (tmp_path / "bbh").mkdir()
    broken = tmp_path / "bbh" / "navigate.json"
    broken.write_text('{"examples": [}', encoding="utf-8")
    base = [sys.executable, "-m", "coc_lsp", "bench", "bbh", "--out", str(tmp_path / "out"), "--backend", "openai", "--base-url", "http://127.0.0.1:9/v1"]
    done = subprocess.run([*base, "--data", str(tmp_path)], capture_output=True, text=True, timeout=60)
    assert done.returncode == 2 and f"coc: error: {broken}: line 1, column 15: not valid JSON" in done.stderr
    done = subprocess.run([*base, "--data", str(tmp_path), "--tasks", "snarks"], capture_output=True, text=True, timeout=60)
    assert done.returncode == 2 and "No task 'snarks' in" in done.stderr
    done = subprocess.run([*base, "--data", str(tmp_path), "--methods", "coc,magic"], capture_output=True, text=True, timeout=60)
    assert done.returncode == 2 and "unknown method 'magic'" in done.stderr
    done = subprocess.run([*base, "--data", str(tmp_path / "missing")], capture_output=True, text=True, timeout=60)
    assert done.returncode == 2 and "missing: no such directory" in done.stderr
    done = subprocess.run([sys.executable, "-m", "coc_lsp", "bench", "report", str(tmp_path)], capture_output=True, text=True, timeout=60)
    assert done.returncode == 2 and f"{tmp_path / 'run.json'}: no such file" in done.stderr


def test_report_without_matplotlib_says_how_to_get_the_chart(tmp_path: Path) -> None:
    out = tmp_path / "out"
    out.mkdir()
    (out / "run.json").write_text(json.dumps({"backend": "x", "shots": 3, "methods": ["coc"]}), encoding="utf-8")
    record = {"key": "navigate/0/coc", "task": "navigate", "index": 0, "method": "coc", "correct": True, "strict": True, "failures": []}
    (out / "results.jsonl").write_text(json.dumps(record) + "\n" + '{"key": "navigate/1/c', encoding="utf-8")  # cut short by a kill
    blocker = tmp_path / "no-matplotlib" / "matplotlib"
    blocker.mkdir(parents=True)
    (blocker / "__init__.py").write_text("raise ImportError('matplotlib is not installed here')\n", encoding="utf-8")
    env = {**os.environ, "PYTHONPATH": f"{blocker.parent}{os.pathsep}{Path(__file__).resolve().parents[2]}"}
    done = subprocess.run([sys.executable, "-m", "coc_lsp", "bench", "report", str(out)], capture_output=True, text=True, timeout=60, env=env)
    assert done.returncode == 0, done.stderr
    assert "no chart: it needs matplotlib (pip install 'coc-lsp[bench]')" in done.stderr
    assert "dropped a last line cut short" in done.stderr
    assert "| navigate | 1 | 100.0 / 86 |" in (out / "report.md").read_text(encoding="utf-8")
    assert not (out / "accuracy.png").exists()
