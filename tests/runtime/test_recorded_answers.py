"""`coc run --record` / `--answers`: answers kept in a file, found again after edits elsewhere."""

from __future__ import annotations

import json
import os
from pathlib import Path

import pytest

from coc_lsp.runtime.trace import Emulation, read_trace
from tests.runtime.test_cli import coc

PROGRAM = '''\
"""How many fruits?"""
items = ["apple", "stone", "pear"]


def count(things):
    n = 0
    for thing in things:
        if is_fruit(thing):
            n += 1
    return n


answer = count(items)
kind = the kind of thing items holds
'''


def fruit_answers(body: dict) -> str:
    text = body["messages"][-1]["content"]
    if "is_fruit" in text:
        return json.dumps({"value": "stone" not in text})
    return json.dumps({"kind": "produce"})


def test_record_then_answer_from_the_file_without_any_lm(scripted_openai, tmp_path: Path) -> None:
    program = tmp_path / "fruit.coc.py"
    program.write_text(PROGRAM)
    recorded = tmp_path / "recorded.json"
    scripted_openai.script(fruit_answers)
    first = coc(str(program), "--no-cache", "--record", str(recorded), env=scripted_openai.env())
    assert first.returncode == 0, first.stderr
    data = json.loads(recorded.read_text())
    assert data["coc_answers"] == 1 and len(data["answers"]) == 4
    call = data["answers"][0]
    assert (call["scope"], call["source"], call["sees"], call["value"]) == (
        "count", "is_fruit(thing)", {"args": ["'apple'"], "kwargs": {}}, "True"
    )

    # Edited elsewhere (lines above, another function): the sites are found by source and scope.
    program.write_text("import math\n\n\ndef unrelated():\n    return math.pi\n\n\n" + PROGRAM)
    trace = tmp_path / "t.jsonl"
    second = coc(str(program), "--no-cache", "--answers", str(recorded), "--trace", str(trace))
    assert second.returncode == 0, second.stderr
    assert "coc: answer = 2" in second.stderr
    emulations = [e for e in read_trace(trace.read_text().splitlines()) if isinstance(e, Emulation)]
    assert [e.origin for e in emulations] == ["answers"] * 4
    assert "0 LM calls" in second.stderr


def test_an_answer_not_recorded_asks_the_lm_or_says_none_is_configured(tmp_path: Path) -> None:
    program = tmp_path / "fruit.coc.py"
    program.write_text(PROGRAM)
    recorded = tmp_path / "recorded.json"
    recorded.write_text(json.dumps({"coc_answers": 1, "answers": [
        {"scope": "count", "source": "is_fruit(thing)", "sees": {"args": ["'apple'"], "kwargs": {}}, "value": "True"}
    ]}))
    result = coc(str(program), "--no-cache", "--answers", str(recorded), "--backend", "nonexistent_module_xyz:make")
    assert result.returncode == 1
    assert "fruit.coc.py:8" in result.stderr and "nonexistent_module_xyz" in result.stderr


def test_pins_beside_the_program_are_read_by_every_run(tmp_path: Path) -> None:
    program = tmp_path / "fruit.coc.py"
    program.write_text('answer = is_fruit("tomato")\n')
    (tmp_path / "fruit.coc.answers.json").write_text(json.dumps({"coc_answers": 1, "answers": [
        {"scope": "<module>", "source": 'is_fruit("tomato")', "sees": {"args": ["'tomato'"], "kwargs": {}}, "value": "True", "pinned": True}
    ]}))
    result = coc(str(program), "--no-cache")
    assert result.returncode == 0, result.stderr
    assert "coc: answer = True" in result.stderr


def test_a_recorded_answer_of_the_wrong_type_is_a_clear_error(tmp_path: Path) -> None:
    program = tmp_path / "p.coc.py"
    program.write_text('if is_fruit("tomato"):\n    answer = 1\n')
    answers = tmp_path / "a.json"
    answers.write_text(json.dumps({"coc_answers": 1, "answers": [
        {"scope": "<module>", "source": 'is_fruit("tomato")', "sees": {"args": ["'tomato'"], "kwargs": {}}, "value": "[1, 2]"}
    ]}))
    result = coc(str(program), "--no-cache", "--answers", str(answers))
    assert result.returncode == 1
    assert "p.coc.py:1: the recorded answer '[1, 2]' does not fit" in result.stderr


def test_a_broken_answers_file_is_a_usage_error_naming_it(tmp_path: Path) -> None:
    program = tmp_path / "p.coc.py"
    program.write_text("answer = 1\n")
    for content, message in [("{not json", ":1: not JSON"), ('{"answers": []}', "not a recorded answers file"),
                             ('{"coc_answers": 1, "answers": [{"scope": "<module>", "source": "x", "sees": {}, "value": "__import__(\'os\')"}]}', "must be a Python literal")]:
        answers = tmp_path / "a.json"
        answers.write_text(content)
        result = coc(str(program), "--answers", str(answers))
        assert result.returncode == 2 and str(answers) in result.stderr and message in result.stderr


NESTED = '{"coc_answers": 1, "answers": [' + "[" * 100_000 + "]" * 100_000 + "]}"
HUGE_NUMBER = '{"coc_answers": 1, "answers": [{"scope": "s", "source": "x", "sees": {}, "value": "1", "line": ' + "9" * 5000 + "}]}"


@pytest.mark.parametrize("beside", [False, True], ids=["--answers", "beside the program"])
@pytest.mark.parametrize(
    ("make", "message"),
    [
        (lambda path: os.mkfifo(path), "not a regular file"),  # reading it would wait for a writer forever
        (lambda path: path.mkdir(), "not a regular file"),
        (lambda path: path.write_text(NESTED), "cannot be read as JSON: nested too deeply"),
        (lambda path: path.write_text(HUGE_NUMBER), "cannot be read as JSON: Exceeds the limit (4300 digits)"),
    ],
    ids=["fifo", "directory", "nested", "huge number"],
)
def test_a_hostile_answers_file_is_a_usage_error_naming_it(tmp_path: Path, beside: bool, make, message: str) -> None:
    program = tmp_path / "p.coc.py"
    program.write_text("print('ran')\n")
    answers = tmp_path / ("p.coc.answers.json" if beside else "a.json")
    make(answers)
    result = coc(str(program), *([] if beside else ["--answers", str(answers)]), timeout=20)
    assert result.returncode == 2, result.stderr
    assert f"coc: error: {answers}: {message}" in result.stderr and "Traceback" not in result.stderr
    assert "ran" not in result.stdout


def test_a_record_file_that_cannot_be_written_is_named_before_or_after_the_run(tmp_path: Path) -> None:
    program = tmp_path / "p.coc.py"
    program.write_text("print('ran')\n")
    folder = tmp_path / "folder"
    folder.mkdir()
    refused = coc(str(program), "--record", str(folder))  # known before anything runs
    assert refused.returncode == 2 and f"{folder}: is a directory" in refused.stderr and "ran" not in refused.stdout
    unwritable = Path("/proc/coc-no-such-directory/answers.json")  # no one may create it, root included
    late = coc(str(program), "--record", str(unwritable))
    assert late.returncode == 2 and "ran" in late.stdout and "Traceback" not in late.stderr
    assert f"coc: error: {unwritable}: cannot be written: " in late.stderr


def test_recording_through_a_symlink_writes_its_target_and_keeps_the_link(scripted_openai, tmp_path: Path) -> None:
    program = tmp_path / "fruit.coc.py"
    program.write_text(PROGRAM)
    shared = tmp_path / "shared"
    shared.mkdir()
    target = shared / "answers.json"
    target.write_text(json.dumps({"coc_answers": 1, "answers": []}))
    link = tmp_path / "recorded.json"
    link.symlink_to(target)
    scripted_openai.script(fruit_answers)
    result = coc(str(program), "--no-cache", "--record", str(link), env=scripted_openai.env())
    assert result.returncode == 0, result.stderr
    assert link.is_symlink() and len(json.loads(target.read_text())["answers"]) == 4
