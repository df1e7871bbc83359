"""Scoring BIG-Bench Hard answers the standard way, per task format.

Two scores per answer (lm-evaluation-harness reports both):

- strict: the answer as the pipeline extracted it (after "the answer is", an `A:` line, or the
  program's `answer`) equals the target exactly, surrounding spaces aside;
- normalised: both are brought to the task's canonical form and compared:

  choice      the last `(X)` naming an option; else a bare letter (`B`, `B)`, `B.`); else the text of
              one option (`the cattle of britain`) -> `(X)`. A target that is option text (two rows
              of movie_recommendation and ruin_names, whose options split on a comma) matches that
              text.
  bool        the last True/False (any case) -> `True` / `False`
  yes_no      the last yes/no (any case) -> `yes` / `no`
  valid       the last valid/invalid -> `valid` / `invalid`
  integer     the last integer or number word (`-35`, `1,024`, `5.0`, `five`) -> its digits
  words       word_sorting: the words in order, lower case, from text or a list (`['a', 'b']`)
  dyck        dyck_languages: only the brackets, one space apart (`]}]` -> `] } ]`)

An answer with no value of the task's form is "unparseable" (and wrong).
"""

from __future__ import annotations

import ast
import re
from collections.abc import Sequence
from dataclasses import dataclass

from coc_lsp.lm.answers import NUMBER_WORDS

FORMATS = {
    "boolean_expressions": "bool",
    "causal_judgement": "yes_no",
    "date_understanding": "choice",
    "disambiguation_qa": "choice",
    "dyck_languages": "dyck",
    "formal_fallacies": "valid",
    "geometric_shapes": "choice",
    "hyperbaton": "choice",
    "logical_deduction_five_objects": "choice",
    "logical_deduction_seven_objects": "choice",
    "logical_deduction_three_objects": "choice",
    "movie_recommendation": "choice",
    "multistep_arithmetic_two": "integer",
    "navigate": "yes_no",
    "object_counting": "integer",
    "penguins_in_a_table": "choice",
    "reasoning_about_colored_objects": "choice",
    "ruin_names": "choice",
    "salient_translation_error_detection": "choice",
    "snarks": "choice",
    "sports_understanding": "yes_no",
    "temporal_sequences": "choice",
    "tracking_shuffled_objects_five_objects": "choice",
    "tracking_shuffled_objects_seven_objects": "choice",
    "tracking_shuffled_objects_three_objects": "choice",
    "web_of_lies": "yes_no",
    "word_sorting": "words",
}

_OPTION_LINE = re.compile(r"^\s*\(([A-Z])\)\s*(.*?)\s*$", re.MULTILINE)
_LETTER_IN_PARENS = re.compile(r"\(([A-Z])\)")
_BARE_LETTER = re.compile(r"^\(?([A-Z])(?:\)|\.|:|$)")
_INTEGER = re.compile(r"-?\d[\d,]*(?:\.\d+)?|\b(?:" + "|".join(NUMBER_WORDS) + r")\b", re.IGNORECASE)
_KEYWORDS = {
    "bool": (re.compile(r"\b(true|false)\b", re.IGNORECASE), {"true": "True", "false": "False"}),
    "yes_no": (re.compile(r"\b(yes|no)\b", re.IGNORECASE), {"yes": "yes", "no": "no"}),
    "valid": (re.compile(r"\b(valid|invalid)\b", re.IGNORECASE), {"valid": "valid", "invalid": "invalid"}),
}
_BRACKETS = re.compile(r"[()\[\]{}<>]")
_EDGE_PUNCTUATION = "\"'`*.,;:!? \t\n"


@dataclass(frozen=True)
class Score:
    strict: bool
    correct: bool  # the normalised match
    parsed: str | None  # the answer in canonical form; None: unparseable


def format_of(task: str, targets: Sequence[str] = ()) -> str:
    """The answer format of `task`: from the table for BBH's tasks, else guessed from targets."""
    if task in FORMATS:
        return FORMATS[task]
    if targets and all(re.fullmatch(r"\([A-Z]\)", t.strip()) for t in targets):
        return "choice"
    for name, (pattern, _) in _KEYWORDS.items():
        if targets and all(pattern.fullmatch(t.strip()) for t in targets):
            return name
    if targets and all(re.fullmatch(r"-?\d+", t.strip()) for t in targets):
        return "integer"
    return "text"


def options(question: str) -> dict[str, str]:
    """The multiple-choice options of a question, letter -> text."""
    return {letter: text for letter, text in _OPTION_LINE.findall(question)}


def normalise(answer: str | None, fmt: str, question: str = "") -> str | None:
    """`answer` in the canonical form of `fmt` (see the module docstring); None if it has none."""
    if answer is None:
        return None
    text = answer.strip()
    if fmt == "choice":
        return _choice(text, options(question))
    if fmt in _KEYWORDS:
        pattern, canonical = _KEYWORDS[fmt]
        found = pattern.findall(text)
        return canonical[found[-1].lower()] if found else None
    if fmt == "integer":
        return _integer(text)
    if fmt == "words":
        words = _words(text)
        return " ".join(words) if words else None
    if fmt == "dyck":
        brackets = _BRACKETS.findall(text)
        return " ".join(brackets) if brackets else None
    return _plain(text) or None


def score(answer: str | None, target: str, fmt: str, question: str = "") -> Score:
    """Both scores of `answer` against `target` for a task of format `fmt`."""
    strict = answer is not None and answer.strip() == target.strip()
    parsed = normalise(answer, fmt, question)
    expected = normalise(target, fmt, question)
    correct = parsed is not None and parsed == (expected if expected is not None else _plain(target))
    return Score(strict, correct, parsed)


def _choice(text: str, choices: dict[str, str]) -> str | None:
    letters = [letter for letter in _LETTER_IN_PARENS.findall(text) if not choices or letter in choices]
    if letters:
        return f"({letters[-1]})"
    bare = _BARE_LETTER.match(text.strip(_EDGE_PUNCTUATION.replace("(", "")))
    if bare and (not choices or bare.group(1) in choices):
        return f"({bare.group(1)})"
    plain = _plain(text)
    for letter, option in choices.items():
        if plain and plain == _plain(option):
            return f"({letter})"
    return plain or None  # no option: compared as text (a target that is no option's text)


def _integer(text: str) -> str | None:
    found = _INTEGER.findall(text)
    if not found:
        return None
    last = found[-1].lower()
    if last in NUMBER_WORDS:
        return str(NUMBER_WORDS[last])
    number = float(last.replace(",", ""))
    return str(int(number)) if number.is_integer() else None


def _words(text: str) -> list[str]:
    stripped = text.strip()
    if stripped.startswith(("[", "(")):
        try:
            value = ast.literal_eval(stripped)  # data, never code: literals only
        except (ValueError, SyntaxError, TypeError, MemoryError, RecursionError):
            value = None
        if isinstance(value, (list, tuple)) and all(isinstance(item, str) for item in value):
            return [item.strip().lower() for item in value if item.strip()]
    pieces = re.split(r"[\s,]+", stripped.strip("[]()"))
    return [word for piece in pieces if (word := piece.strip(_EDGE_PUNCTUATION + "[]").lower())]


def _plain(text: str) -> str:
    return " ".join(text.strip(_EDGE_PUNCTUATION).lower().split())
