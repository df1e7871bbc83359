"""Scoring on every BBH task's answer format, with the real targets of ../shared/bbh: each target
scores itself both ways, the usual ways of writing the same answer score right under the normalised
match only, and a different answer never scores."""

from __future__ import annotations

import pytest

from coc_lsp.bench.scoring import FORMATS, format_of, normalise, options, score
from tests.bench.bbh import bbh_dir, examples

WORDS = {0: "zero", 3: "three", 7: "seven", 12: "twelve", 20: "twenty"}


def variants(fmt: str, target: str, question: str) -> tuple[list[str], list[str]]:
    """(other ways to write `target`, answers that are wrong) for a task of format `fmt`."""
    if fmt == "choice":
        choices = options(question)
        letter = target.strip("()")
        text = choices[letter]
        other = next((x for x in choices if x != letter), None)
        if other is None:  # snarks has one question cut short after "(A) The NB": one option only
            return [letter, f"So the answer is {target}."], ["(B)", "B"]
        same = [letter, f"{letter})", f"{letter}.", f"So the answer is {target}.", f"{target} {text}"]
        if list(choices.values()).count(text) == 1 and len(text) > 1:
            same += [text, text.upper() + "."]
        return same, [f"({other})", other, choices[other] if choices[other] != text else "(Z)"]
    if fmt in ("bool", "yes_no", "valid"):
        opposite = {"True": "False", "False": "True", "Yes": "No", "No": "Yes", "yes": "no", "no": "yes", "valid": "invalid", "invalid": "valid"}[target]
        return [target.lower(), target.upper(), f"So the answer is {target}."], [opposite, f"the answer is {opposite.lower()}"]
    if fmt == "integer":
        number = int(target)
        same = [f"The answer is {number}.", f"{number}.0", f"{number:,}"] + ([WORDS[number]] if number in WORDS else [])
        return same, [str(number + 1), str(-number) if number else "1"]
    if fmt == "words":
        words = target.split()
        same = [str(words), ", ".join(words), target.upper(), f"{target}."]
        wrong = [" ".join(reversed(words))] if len(set(words)) > 1 else [target + " extra"]
        return same, wrong
    if fmt == "dyck":
        return [target.replace(" ", ""), f"So the answer is {target}.", f"{target} ."], [target + " )", target.split()[0] + " ]" * 3]
    raise AssertionError(fmt)


@pytest.mark.parametrize("task", sorted(FORMATS))
def test_every_real_target_and_its_variants(task: str) -> None:
    fmt = FORMATS[task]
    assert format_of(task) == fmt
    checked = 0
    for example in examples(task):
        question, target = example["input"], example["target"]
        assert score(target, target, fmt, question) == score(f" {target} ", target, fmt, question)
        marks = score(target, target, fmt, question)
        assert marks.strict and marks.correct and marks.parsed is not None, (task, target)
        if fmt == "choice" and not target.startswith("("):
            continue  # a target that is option text (ruin_names/movie_recommendation data issue): below
        same, wrong = variants(fmt, target, question)
        for answer in same:
            assert score(answer, target, fmt, question).correct, (task, target, answer)
            if answer.strip() != target:
                assert not score(answer, target, fmt, question).strict, (task, target, answer)
        for answer in wrong:
            assert not score(answer, target, fmt, question).correct, (task, target, answer)
        checked += 1
    assert checked >= 140


def test_formats_cover_all_27_task_files() -> None:
    assert sorted(FORMATS) == sorted(p.stem for p in (bbh_dir() / "bbh").glob("*.json"))
    assert format_of("new_task", ["(A)", "(B)"]) == "choice" and format_of("new_task", ["Yes", "no"]) == "yes_no"
    assert format_of("new_task", ["12", "-3"]) == "integer" and format_of("new_task", ["a b", "c"]) == "text"


def test_target_that_is_option_text() -> None:
    rows = [e for e in examples("movie_recommendation") if not e["target"].startswith("(")]
    assert [e["target"] for e in rows] == ["Monsters, Inc"]  # its options split the title on the comma
    question = rows[0]["input"]
    assert score("Monsters, Inc", "Monsters, Inc", "choice", question).correct
    assert score("monsters, inc.", "Monsters, Inc", "choice", question).correct
    assert not score("(A)", "Monsters, Inc", "choice", question).correct  # "(A) Monsters" is not the title


def test_unparseable_answers() -> None:
    question = examples("date_understanding")[0]["input"]
    for fmt, answer in [("bool", "maybe"), ("yes_no", "it depends"), ("valid", "unclear"), ("integer", "many"),
                        ("dyck", "done"), ("words", ""), ("choice", "")]:  # fmt: skip
        assert normalise(answer, fmt, question) is None, (fmt, answer)
        assert score(answer, "x", fmt, question).parsed is None
    assert score(None, "(A)", "choice", question) == score(None, "(A)", "choice", question)
    assert not score(None, "(A)", "choice", question).correct
    assert normalise("Z", "choice", question) != "(Z)"  # not one of its options


def test_last_answer_wins() -> None:
    assert normalise("Not (A) but (C)", "choice", "Options:\n(A) x\n(B) y\n(C) z") == "(C)"
    assert normalise("True or False? False", "bool") == "False"
    assert normalise("7 apples, so 12 in all", "integer") == "12"
    assert normalise("5.5", "integer") is None
