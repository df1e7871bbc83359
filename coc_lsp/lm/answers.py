"""Raw LM text -> Python value, safely: answers are data, never code.

The text is cut to a size cap, stripped of code fences and prose, then read with `json.loads` or
`ast.literal_eval` and nothing else: no eval, no exec. `__import__('os').system(...)`,
`(lambda: 1)()` and `{'x': open('f')}` are not literals, so they raise AnswerError and never run.

`parse_answer` also unwraps the shape the prompt asked for: `{"value": X}` for "call" and
"expression" requests, `{target: value}` for "line" and "pseudo" requests.
"""

from __future__ import annotations

import ast
import json
import re
from typing import Any

from coc_lsp.lm.errors import AnswerError
from coc_lsp.lm.reprs import truncate

MAX_ANSWER_CHARS = 100_000
# Numbers an answer may spell out ("four legs"): read by the embedded backend and BBH scoring.
NUMBER_WORDS = {
    word: value
    for value, word in enumerate(
        "zero one two three four five six seven eight nine ten eleven twelve thirteen fourteen"
        " fifteen sixteen seventeen eighteen nineteen twenty".split()
    )
}
_MAX_SPANS = 8
# Text around an embedded literal must look like prose: no brackets, calls, assignments.
_PROSE = re.compile(r"[^(){}\[\];=`\\]*")
_FENCE = re.compile(r"```[ \t]*[A-Za-z0-9_+-]*[ \t]*\n(.*?)(?:```|\Z)", re.DOTALL)


def parse_literal(raw: str) -> Any:
    """The one JSON value or Python literal in `raw`; AnswerError when there is none.

    Accepted: the whole text (or a fenced block) is a literal, or one `{...}`/`[...]` literal sits
    in prose ("Here it is: {"x": 1}"). Text around it that looks like code (brackets, `=`, `;`)
    makes the answer unreadable on purpose: `exec("{'x': 1}")` is not an answer of {'x': 1}.
    """
    if not isinstance(raw, str):
        raise AnswerError(f"Expected the answer as text, but got {type(raw).__name__}.")
    if len(raw) > MAX_ANSWER_CHARS:
        raise AnswerError(
            f"The answer is {len(raw):,} characters long; answers are capped at"
            f" {MAX_ANSWER_CHARS:,}. It began: {truncate(raw, 120)!r}."
        )
    text = raw.strip()
    candidates = [block.strip() for block in _FENCE.findall(text)] + [text]
    for read in (_whole, _embedded):
        for candidate in candidates:
            found, value = read(candidate) if candidate else (False, None)
            if found:
                return value
    raise AnswerError(
        f"The answer is not a JSON value or a Python literal: {truncate(text, 200)!r}."
    )


def parse_answer(raw: str, kind: str, targets: list[str] | None = None) -> Any:
    """The value a request of `kind` asked for, read from the raw answer text.

    "call"/"expression": the value, unwrapped from `{"value": X}` when wrapped.
    "line"/"pseudo": a dict {target: value}; a lone `{"value": X}` or bare value is accepted for
    a single target. Which targets and types are right is checked later (lmulator, types).
    """
    value = parse_literal(raw)
    if kind in ("call", "expression"):
        if isinstance(value, dict) and len(value) == 1 and "value" in value:
            return value["value"]
        return value
    targets = list(targets or [])
    if isinstance(value, dict):
        if len(targets) == 1 and list(value) == ["value"] and targets[0] != "value":
            return {targets[0]: value["value"]}
        return value
    if len(targets) == 1:
        return {targets[0]: value}
    expected = ", ".join(targets) if targets else "the variables the line sets"
    raise AnswerError(
        f"Expected a JSON object giving {expected}, but the answer was"
        f" {truncate(raw.strip(), 200)!r}."
    )


def _whole(text: str) -> tuple[bool, Any]:
    """(True, value) when all of `text` is one JSON value or one Python literal."""
    try:
        return True, json.loads(text)
    except (ValueError, RecursionError):
        pass
    try:
        return True, ast.literal_eval(text)
    except (ValueError, TypeError, SyntaxError, MemoryError, RecursionError):
        return False, None


def _embedded(text: str) -> tuple[bool, Any]:
    """(True, value) for a `{...}` or `[...]` literal with nothing code-like around it."""
    starts = [match.start() for match in re.finditer(r"[\[{]", text)][:_MAX_SPANS]
    for start in starts:
        prefix = text[:start]
        if not _PROSE.fullmatch(prefix) or (
            prefix and not prefix[-1].isspace() and prefix[-1] != ":"
        ):
            continue
        closer = "}" if text[start] == "{" else "]"
        ends = [i for i in range(len(text) - 1, start, -1) if text[i] == closer][:_MAX_SPANS]
        for end in ends:
            if _prose_after(text[end + 1 :]):
                found, value = _whole(text[start : end + 1])
                if found:
                    return found, value
    return False, None


def _prose_after(suffix: str) -> bool:
    return not suffix or (
        _PROSE.fullmatch(suffix) is not None and (suffix[0].isspace() or suffix[0] in ".,!")
    )
