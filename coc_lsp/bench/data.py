"""BIG-Bench Hard in its published format, loaded and checked.

The upstream repository (suzgunmirac/BIG-Bench-Hard) has `bbh/<task>.json` =
`{"canary": ..., "examples": [{"input": ..., "target": ...}]}` and `cot-prompts/<task>.txt`. `--data`
names the `bbh/` folder or the folder holding it. Nothing of the data is vendored here: the paper's
own figures (Table A1) are, in paper_table_a1.csv beside this module.

A missing or malformed file is a DataError naming the file and what is wrong with it.
"""

from __future__ import annotations

import fnmatch
import json
import random
from dataclasses import dataclass
from pathlib import Path

from coc_lsp.solve.prompts import bbh_cot_exemplars

# The paper pools the 3/5/7-object files of these tasks into one row each (Table A1).
_POOLED_SUFFIXES = ("_three_objects", "_five_objects", "_seven_objects")


class DataError(Exception):
    """The data folder, a task file or a chain-of-thought prompt is missing or malformed."""


@dataclass(frozen=True)
class Question:
    task: str
    index: int  # the example's position in its file: the question's identity across runs
    input: str
    target: str


@dataclass(frozen=True)
class Dataset:
    tasks_dir: Path  # the folder of <task>.json
    cot_dir: Path | None  # the folder of <task>.txt chain-of-thought prompts, when there is one

    def task_names(self) -> list[str]:
        return sorted(path.stem for path in self.tasks_dir.glob("*.json"))

    def select(self, patterns: list[str] | None) -> list[str]:
        """The tasks named by `patterns` (names or globs; all tasks when None), in sorted order."""
        available = self.task_names()
        if not patterns:
            return available
        chosen: list[str] = []
        for pattern in patterns:
            matches = fnmatch.filter(available, pattern)
            if not matches:
                raise DataError(
                    f"No task {pattern!r} in {self.tasks_dir} (no {pattern}.json there); tasks: {', '.join(available)}."
                )
            chosen += matches
        return sorted(set(chosen))

    def questions(self, task: str) -> list[Question]:
        """The checked examples of `task`."""
        path = self.tasks_dir / f"{task}.json"
        text = _read(path, f"task {task!r}")
        try:
            data = json.loads(text)
        except json.JSONDecodeError as error:
            raise DataError(f"{path}: line {error.lineno}, column {error.colno}: not valid JSON: {error.msg}.") from None
        examples = data.get("examples") if isinstance(data, dict) else None
        if not isinstance(examples, list) or not examples:
            raise DataError(f'{path}: expected {{"examples": [{{"input": ..., "target": ...}}, ...]}}, a non-empty list.')
        questions = []
        for index, example in enumerate(examples):
            if not isinstance(example, dict) or not all(isinstance(example.get(key), str) for key in ("input", "target")):
                raise DataError(f'{path}: example {index} (counting from 0) needs "input" and "target" strings.')
            questions.append(Question(task, index, example["input"], example["target"]))
        return questions

    def cot_prompt(self, task: str) -> str:
        """BBH's three-shot chain-of-thought exemplars for `task` (the text after its header)."""
        if self.cot_dir is None:
            raise DataError(
                f"--methods cot needs BBH's cot-prompts/ folder beside {self.tasks_dir}; it is not there."
            )
        path = self.cot_dir / f"{task}.txt"
        text = _read(path, f"the chain-of-thought prompt of {task!r}")
        exemplars = bbh_cot_exemplars(text).strip()
        if "Q:" not in exemplars or "A:" not in exemplars:
            raise DataError(f"{path}: expected 'Q: ... A: ...' exemplars after the header.")
        return exemplars


def open_dataset(directory: str | Path) -> Dataset:
    """The dataset in `directory`: BBH's `bbh/` folder itself, or the folder that holds it."""
    root = Path(directory).expanduser()
    if not root.is_dir():
        raise DataError(f"{root}: no such directory (give --data the BIG-Bench Hard bbh/ folder or its parent).")
    if (root / "bbh").is_dir() and any((root / "bbh").glob("*.json")):
        tasks_dir = root / "bbh"
    elif any(root.glob("*.json")):
        tasks_dir = root
    else:
        raise DataError(f"{root}: no <task>.json files here nor in {root / 'bbh'}.")
    cot = next((d for d in (tasks_dir.parent / "cot-prompts", tasks_dir / "cot-prompts") if d.is_dir()), None)
    return Dataset(tasks_dir, cot)


def sample(questions: list[Question], limit: int | None, seed: int) -> list[Question]:
    """`limit` questions drawn with `seed` (the same ones every time), in file order; all when None."""
    if limit is None or limit >= len(questions):
        return list(questions)
    task = questions[0].task if questions else ""
    chosen = random.Random(f"{seed}:{task}").sample(range(len(questions)), limit)
    return [questions[index] for index in sorted(chosen)]


def paper_task(task: str) -> str:
    """The row of the paper's Table A1 a data file counts towards."""
    for suffix in _POOLED_SUFFIXES:
        if task.endswith(suffix) and task.startswith(("logical_deduction", "tracking_shuffled_objects")):
            return task[: -len(suffix)]
    return task


def _read(path: Path, what: str) -> str:
    """The text of a data file; DataError naming it when it is missing or unreadable."""
    try:
        return path.read_text(encoding="utf-8")
    except FileNotFoundError:
        raise DataError(f"{path}: no such file ({what}).") from None
    except (OSError, UnicodeDecodeError) as error:
        raise DataError(f"{path}: cannot be read: {error}.") from None
