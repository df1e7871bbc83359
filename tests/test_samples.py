"""Every sample runs to its expected answer when the LM answers like an oracle would, and the
README's quick-start sample does with the real embedded model too.

The oracle tests check the samples themselves (their Python parts and what they ask the LM); the
embedded model's own accuracy on every sample is measured by benchmarks/emulation_quality.py."""

from __future__ import annotations

import ast
import re
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

from coc_lsp.runtime.trace import End, read_trace
from tests.runtime.scripted import run_program

ROOT = Path(__file__).resolve().parent.parent
SAMPLES = sorted((ROOT / "samples").glob("*.coc.py"))
RECYCLABLE = {"newspaper", "glass jar", "aluminium can"}
VEGETABLES = {"potato", "cauliflower", "lettuce head", "cabbage", "onion"}
LEGS = {"spider": 8, "ant": 6, "snake": 0, "chicken": 2, "dog": 4}
CAPITALS = {"France": "Paris", "Japan": "Tokyo", "Egypt": "Cairo", "Russia": "Moscow", "Greece": "Athens"}


def oracle(request: Any) -> Any:
    name, args, state = request.function, request.args, request.state
    if name == "is_sarcastic":
        return any(w in args[0] for w in ("great", "love"))
    if name == "capital_of":
        return CAPITALS[args[0]]
    if name == "sentiment":
        return "negative" if re.search(r"Terrible|Awful|broke|worst", args[0]) else "positive"
    if name == "is_vegetable":
        return args[0] in VEGETABLES
    if name == "month_and_day_of_holiday":
        return (12, 24)
    if name == "sport_played_by":
        return "soccer"
    if name == "sport_of_action":
        return "American football"
    if name == "number_of_steps_in":
        return int(re.search(r"\d+", args[0]).group())
    if name == "claims_the_subject_tells_the_truth":
        return "tells the truth" in args[0]
    if request.targets == ["ok"]:
        return {"ok": state["thing"] in RECYCLABLE}
    if request.targets == ["legs"]:
        return {"legs": LEGS[state["animal"]]}
    raise AssertionError(f"the oracle was not asked this: {request}")


def expected_answer(path: Path) -> Any:
    match = re.search(r"^# expected: (.+)$", path.read_text(), re.MULTILINE)
    assert match, f"{path.name} has no '# expected:' comment"
    return ast.literal_eval(match.group(1))


def test_there_are_samples_for_each_kind_of_task() -> None:
    assert len(SAMPLES) >= 8
    texts = "".join(p.read_text() for p in SAMPLES)
    assert "whether the thing is recyclable" in texts  # pseudo-code lines


@pytest.mark.parametrize("path", SAMPLES, ids=lambda p: p.name)
def test_sample_reaches_its_expected_answer(path: Path, tmp_path: Path) -> None:
    run = run_program(tmp_path, path.read_text(), oracle)
    assert run.result.exit_code == 0, run.stderr
    assert ast.literal_eval(run.answer) == expected_answer(path)


def emulated(run: Any) -> list[tuple[int, str | None, list[str], str | None, dict[str, str] | None]]:
    return [(e.line, e.function, e.request.args, e.value, e.values) for e in run.emulations]


@pytest.mark.parametrize("path", SAMPLES, ids=lambda p: p.name)
def test_sample_runs_the_same_when_loop_calls_are_asked_ahead(path: Path, tmp_path: Path) -> None:
    """With a backend that takes several requests at once, a loop's calls are asked ahead: the
    output, the answer and every emulation (line, arguments, value, in order) are those of the
    run asking one by one."""
    one_by_one = run_program(tmp_path, path.read_text(), oracle, concurrent=True, prefetch=False)
    ahead = run_program(tmp_path, path.read_text(), oracle, concurrent=True)
    assert (ahead.result.exit_code, ahead.answer, ahead.stdout) == (0, one_by_one.answer, one_by_one.stdout)
    assert emulated(ahead) == emulated(one_by_one)
    assert not any(e.prefetched for e in one_by_one.emulations)
    assert ahead.result.totals.prefetched_unused == 0  # every sample's loop runs to its end
    if path.name in LOOP_CALLS:  # calls made on every item of a list or a dict's items
        calls = [e for e in ahead.emulations if e.function == LOOP_CALLS[path.name]]
        assert len(calls) > 1 and all(e.prefetched for e in calls)


LOOP_CALLS = {"sarcasm.coc.py": "is_sarcastic", "object_counting.coc.py": "is_vegetable"}


def quick_start_sample() -> Path:
    """The sample the README's quick start runs."""
    readme = (ROOT / "README.md").read_text()
    section = readme.split("## Quick start", 1)[1].split("\n## ", 1)[0]
    found = re.search(r"coc run (samples/\S+\.coc\.py)", section)
    assert found, "the README's quick start runs no sample"
    return ROOT / found.group(1)


def test_the_quick_start_sample_gives_its_expected_answer_on_the_embedded_model(tmp_path: Path) -> None:
    """A new user's first run: `coc run` on the README's sample, the real embedded model, no cache."""
    path = quick_start_sample()
    trace = tmp_path / "trace.jsonl"
    result = subprocess.run(
        [sys.executable, "-m", "coc_lsp", "run", str(path), "--backend", "embedded", "--no-cache", "--trace", str(trace)],
        capture_output=True, text=True, timeout=300, cwd=tmp_path,
    )
    assert result.returncode == 0, result.stderr
    ends = [event for event in read_trace(trace.read_text().splitlines()) if isinstance(event, End)]
    assert ends and ast.literal_eval(ends[-1].answer) == expected_answer(path), result.stdout + result.stderr
