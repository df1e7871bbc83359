"""The BBH loader: the published layout, its checks and clear errors naming the bad file."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest

from coc_lsp.bench.data import DataError, open_dataset, paper_task, sample
from tests.bench.bbh import bbh_dir


def write_task(folder: Path, task: str, text: str) -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / f"{task}.json"
    path.write_text(text, encoding="utf-8")
    return path


def test_the_shared_copy_loads_as_published() -> None:
    dataset = open_dataset(bbh_dir())  # the parent of bbh/
    assert dataset.tasks_dir == bbh_dir() / "bbh"
    assert dataset.cot_dir == bbh_dir() / "cot-prompts"
    assert len(dataset.task_names()) == 27
    counts = {task: len(dataset.questions(task)) for task in dataset.task_names()}
    assert counts["causal_judgement"] == 187 and counts["penguins_in_a_table"] == 146 and counts["snarks"] == 178
    assert {n for t, n in counts.items() if t not in ("causal_judgement", "penguins_in_a_table", "snarks")} == {250}
    assert open_dataset(bbh_dir() / "bbh").tasks_dir == bbh_dir() / "bbh"  # the bbh/ folder itself


def test_cot_prompt_is_the_three_exemplars_after_the_header() -> None:
    prompt = open_dataset(bbh_dir()).cot_prompt("date_understanding")
    assert prompt.startswith("Q: ") and prompt.count("Q: ") == 3 and "canary" not in prompt and "-----" not in prompt


def test_tasks_by_name_and_glob() -> None:
    dataset = open_dataset(bbh_dir())
    assert dataset.select(["logical_deduction_*", "snarks"]) == [
        "logical_deduction_five_objects", "logical_deduction_seven_objects", "logical_deduction_three_objects", "snarks",
    ]  # fmt: skip
    with pytest.raises(DataError, match=r"No task 'snark' in .*bbh \(no snark\.json there\); tasks: boolean_expressions"):
        dataset.select(["snark"])


def test_sample_is_seeded_per_task_and_keeps_file_order() -> None:
    questions = open_dataset(bbh_dir()).questions("navigate")
    first, again, other = sample(questions, 5, 0), sample(questions, 5, 0), sample(questions, 5, 1)
    assert first == again and first != other and len(first) == 5
    assert [q.index for q in first] == sorted(q.index for q in first)
    assert sample(questions, None, 0) == questions and sample(questions, 999, 0) == questions


def test_paper_task_pools_the_object_counts() -> None:
    assert paper_task("logical_deduction_seven_objects") == "logical_deduction"
    assert paper_task("tracking_shuffled_objects_three_objects") == "tracking_shuffled_objects"
    assert paper_task("object_counting") == "object_counting"


def test_no_such_directory(tmp_path: Path) -> None:
    with pytest.raises(DataError, match=rf"{tmp_path / 'nope'}: no such directory"):
        open_dataset(tmp_path / "nope")
    with pytest.raises(DataError, match=r"no <task>\.json files here"):
        open_dataset(tmp_path)


def test_malformed_json_names_file_and_line(tmp_path: Path) -> None:
    path = write_task(tmp_path / "bbh", "broken", '{"examples": [\n  {"input": "x", "target": "y"},\n  oops\n]}')
    with pytest.raises(DataError) as error:
        open_dataset(tmp_path).questions("broken")
    assert str(error.value).startswith(f"{path}: line 3, column 3: not valid JSON")


@pytest.mark.parametrize(
    ("text", "problem"),
    [
        ('{"canary": "x"}', r'expected \{"examples": '),
        ('{"examples": []}', r'expected .*, a non-empty list'),
        ('[1, 2]', r'expected \{"examples": '),
        ('{"examples": [{"input": "q", "target": "a"}, {"input": "q2"}]}', r'example 1 \(counting from 0\) needs "input" and "target" strings'),
        ('{"examples": [{"input": "q", "target": 3}]}', r"example 0 .* needs"),
    ],
)
def test_malformed_examples(tmp_path: Path, text: str, problem: str) -> None:
    path = write_task(tmp_path, "task", text)
    with pytest.raises(DataError, match=rf"^{path}: {problem}"):
        open_dataset(tmp_path).questions("task")


def test_missing_task_file_and_cot_prompt(tmp_path: Path) -> None:
    write_task(tmp_path / "bbh", "snarks", json.dumps({"examples": [{"input": "q", "target": "(A)"}]}))
    dataset = open_dataset(tmp_path)
    with pytest.raises(DataError, match=rf"{tmp_path / 'bbh' / 'navigate.json'}: no such file \(task 'navigate'\)"):
        dataset.questions("navigate")
    with pytest.raises(DataError, match=r"--methods cot needs BBH's cot-prompts/ folder"):
        dataset.cot_prompt("snarks")
    (tmp_path / "cot-prompts").mkdir()
    with pytest.raises(DataError, match=rf"{tmp_path / 'cot-prompts' / 'snarks.txt'}: no such file"):
        open_dataset(tmp_path).cot_prompt("snarks")
    shutil.copy(bbh_dir() / "cot-prompts" / "snarks.txt", tmp_path / "cot-prompts" / "snarks.txt")
    assert open_dataset(tmp_path).cot_prompt("snarks").startswith("Q: ")
