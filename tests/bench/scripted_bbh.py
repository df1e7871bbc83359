"""A scripted OpenAI-compatible endpoint that answers BBH questions the way a test wants, with
exact, known accuracies per task and method (see `EXPECTED`).

Per question (by its position i in a 3-question task):
  direct  right only for boolean_expressions i=0 ("the answer is true": normalised, not strict)
  cot     always right ("... So the answer is T.")
  coc     i=0,1: a Python program computing the answer; i=2: a program that does not parse, and the
          fallback answers wrong
"""

from __future__ import annotations

import json
import re
import shutil
from pathlib import Path
from typing import Any

from coc_lsp.solve.prompts import COT_TRIGGER, DIRECT_INSTRUCTION, FALLBACK_INSTRUCTION, FEW_SHOT_INSTRUCTION
from tests.bench.bbh import bbh_dir, examples

TASKS = ("boolean_expressions", "multistep_arithmetic_two")
QUESTIONS = 3
# (task, method) -> (right, strictly right) of 3
EXPECTED = {
    ("boolean_expressions", "direct"): (1, 0),
    ("boolean_expressions", "cot"): (3, 3),
    ("boolean_expressions", "coc"): (2, 2),
    ("multistep_arithmetic_two", "direct"): (0, 0),
    ("multistep_arithmetic_two", "cot"): (3, 3),
    ("multistep_arithmetic_two", "coc"): (2, 2),
}


def make_data(folder: Path) -> dict[str, tuple[str, int, str]]:
    """A BBH folder of the first 3 real questions of TASKS, with their cot prompts; returns
    question text -> (task, index, target)."""
    known = {}
    (folder / "bbh").mkdir(parents=True)
    (folder / "cot-prompts").mkdir()
    for task in TASKS:
        chosen = examples(task)[:QUESTIONS]
        (folder / "bbh" / f"{task}.json").write_text(json.dumps({"canary": "test", "examples": chosen}), encoding="utf-8")
        shutil.copy(bbh_dir() / "cot-prompts" / f"{task}.txt", folder / "cot-prompts" / f"{task}.txt")
        known.update({e["input"]: (task, i, e["target"]) for i, e in enumerate(chosen)})
    return known


def _wrong(task: str, target: str) -> str:
    return {"True": "False", "False": "True"}.get(target) or str(int(target) + 1)


def classify(body: Any, known: dict[str, tuple[str, int, str]]) -> tuple[str, str, int, str, str]:
    """(kind, task, index, target, question) of a request: kind is program, fallback, direct or cot."""
    messages = body["messages"]
    system = next((m["content"] for m in messages if m["role"] == "system"), "")
    user = messages[-1]["content"]
    tail = user.rsplit("Q: ", 1)[1]
    question = next(q for q in known if tail.startswith(q))
    task, index, target = known[question]
    if system == FEW_SHOT_INSTRUCTION:
        kind = "program"
    elif system == FALLBACK_INSTRUCTION:
        kind = "fallback"
    elif system == DIRECT_INSTRUCTION:
        kind = "direct"
    elif user.endswith(COT_TRIGGER):
        kind = "cot"
    else:
        raise AssertionError(f"unexpected request: {messages}")
    return kind, task, index, target, question


def answerer(known: dict[str, tuple[str, int, str]]) -> Any:
    def answer(body: Any) -> str:
        kind, task, index, target, question = classify(body, known)
        if kind == "direct":
            right = task == "boolean_expressions" and index == 0
            return f"the answer is {(target if right else _wrong(task, target)).lower()}"
        if kind == "cot":
            return f"Let me work it out.\nSo the answer is {target}."
        if kind == "fallback":
            return f"A: {_wrong(task, target)}"
        if index == 2:
            return "answer = (\n# CODE END"
        expression = re.sub(r"\s*(is|=)\s*$", "", question)
        return f"value = {expression}\nanswer = str(value)\n# CODE END"

    return answer


def method_of(kind: str) -> str:
    return {"program": "coc", "fallback": "coc"}.get(kind, kind)
