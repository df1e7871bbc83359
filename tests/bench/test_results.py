"""The run folder: durable lines, a line cut short by a kill, settings a resume must keep; and the
progress line."""

from __future__ import annotations

import io
import json
from pathlib import Path

import pytest

from coc_lsp.bench.progress import Progress
from coc_lsp.bench.results import Results, ResultsError, load_records

SETTINGS = {"backend": "openai:m@http://x/v1", "shots": 3, "cross_task": False, "methods": ["coc"], "tasks": ["navigate"]}


def record(key: str, correct: bool = True) -> dict[str, object]:
    return {"key": key, "task": "navigate", "method": "coc", "correct": correct}


def test_lines_are_appended_and_read_back(tmp_path: Path) -> None:
    results = Results(tmp_path, SETTINGS)
    assert results.append(record("navigate/0/coc")) and results.append(record("navigate/1/coc"))
    results.close()
    assert not results.append(record("navigate/2/coc"))  # closed: an interrupted run writes no more
    assert [r["key"] for r in load_records(tmp_path)] == ["navigate/0/coc", "navigate/1/coc"]
    again = Results(tmp_path, SETTINGS)
    assert again.done("navigate/1/coc") and not again.done("navigate/2/coc")
    again.close()


def test_a_line_cut_short_is_dropped_and_cut_from_the_file(tmp_path: Path) -> None:
    (tmp_path / "results.jsonl").write_text(json.dumps(record("navigate/0/coc")) + '\n{"key": "navigate/1', encoding="utf-8")
    with pytest.warns(UserWarning, match="dropped a last line cut short"):
        results = Results(tmp_path, SETTINGS)
    assert list(results.records) == ["navigate/0/coc"]
    results.append(record("navigate/1/coc"))
    results.close()
    lines = (tmp_path / "results.jsonl").read_text(encoding="utf-8").splitlines()
    assert [json.loads(line)["key"] for line in lines] == ["navigate/0/coc", "navigate/1/coc"]


def test_a_bad_line_names_its_number(tmp_path: Path) -> None:
    (tmp_path / "results.jsonl").write_text(json.dumps(record("a")) + "\nnot json\n", encoding="utf-8")
    with pytest.raises(ResultsError, match=r"results\.jsonl: line 2: not valid JSON"):
        list(load_records(tmp_path))


def test_resuming_with_other_settings_is_refused(tmp_path: Path) -> None:
    first = Results(tmp_path, SETTINGS)
    first.append(record("navigate/0/coc"))
    first.close()
    with pytest.raises(ResultsError, match=r"other settings \(shots: 3 there, 0 now\)"):
        Results(tmp_path, {**SETTINGS, "shots": 0})
    more = Results(tmp_path, {**SETTINGS, "methods": ["direct"], "tasks": ["snarks"]})  # more items: fine
    more.close()
    saved = json.loads((tmp_path / "run.json").read_text(encoding="utf-8"))
    assert saved["methods"] == ["coc", "direct"] and saved["tasks"] == ["navigate", "snarks"]


def test_progress_bar_on_a_terminal_and_lines_otherwise() -> None:
    stream = io.StringIO()
    bar = Progress(4, 1, 1, stream, tty=True)
    bar.update(record("navigate/1/coc", correct=False))
    bar.close()
    text = stream.getvalue()
    assert text.startswith("\r[") and "2/4 | accuracy 50.0% |" in text and "q/s | ETA " in text and text.endswith("\n")
    plain = io.StringIO()
    lines = Progress(2, 0, 0, plain, tty=False)
    lines.update(record("navigate/0/coc"))
    assert plain.getvalue().startswith("coc bench: 1/2 | accuracy 100.0% |") and plain.getvalue().endswith("navigate/0/coc: right\n")


def test_report_of_a_cross_task_run_names_the_papers_cross_task_figures(tmp_path: Path) -> None:
    from coc_lsp.bench.report import write_report

    results = Results(tmp_path, {**SETTINGS, "cross_task": True})
    results.append({**record("logical_deduction_three_objects/0/coc"), "task": "logical_deduction_three_objects"})
    results.append({**record("logical_deduction_five_objects/0/coc", correct=False), "task": "logical_deduction_five_objects"})
    results.close()
    write_report(tmp_path)
    report = (tmp_path / "report.md").read_text(encoding="utf-8")
    assert "cross-task averages (text-davinci-003, arXiv:2312.04474) are Direct 50, CoT 55, CoC 61" in report
    assert "| logical_deduction | 2 | 50.0 / 68 |" in report  # the 3/5/7-object files pooled, as the paper does
