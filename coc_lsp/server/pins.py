"""Pinned answers: "Pin this answer", "Edit emulated value…" and "Unpin" on an emulated site.

They write the recorded answers file beside the program (`prog.coc.answers.json`, lm/recorded.py,
meant to be committed), which every later run reads before the cache and the LM: `coc run` and
`coc dap` pick it up beside the program by themselves, the server passes it to the runs of
unsaved buffers (runs.py). An entry is the one the trace's `answer_key` names (scope, source and
what the site saw), so a pin holds for that very request after edits elsewhere in the program.

An edited value is a Python literal, read with ast.literal_eval and checked against the type the
site asked for (lm/types.py, the LMulator's own check) before anything is written: a bad value is
a PinError with a message naming the line and the cause, and the file is left as it was.
"""

from __future__ import annotations

import ast
import dataclasses
import json
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from coc_lsp.lm.errors import AnswerError, ConfigError
from coc_lsp.lm.lmulator import checked
from coc_lsp.lm.recorded import Entry, RecordedAnswers, answers_path, literal_text
from coc_lsp.lm.reprs import safe_repr
from coc_lsp.lm.request import EmulationRequest
from coc_lsp.runtime.trace import Emulation

PINNED_ORIGIN = "answers"  # the trace's origin of an answer read from a recorded answers file
UNPINNED_ORIGIN = "unpinned"  # shown until the next run: the pin is gone, the value is the old one
REPR_LIMIT = 2000


class PinError(ValueError):
    """A pin that cannot be written: the message says why (file, line, cause)."""


def is_pinned(emulation: Emulation) -> bool:
    return emulation.origin == PINNED_ORIGIN


def pin_answers(program: Path, group: Sequence[Emulation]) -> tuple[Path, list[Emulation]]:
    """Pin what every run of the site answered; the file and the group as pinned emulations."""
    pinnable = [e for e in group if len(e.answer_key) == 3 and e.answer is not None]
    if not pinnable:
        raise PinError(f"{program}:{group[0].line}: this answer is not a Python literal, so it cannot be pinned.")
    path = answers_path(program)
    answers = _load(path)
    for emulation in pinnable:
        answers.add(_entry(emulation, emulation.answer or ""))
    _save(answers)
    return path, [dataclasses.replace(e, origin=PINNED_ORIGIN) if e in pinnable else e for e in group]


def edit_answer(program: Path, emulation: Emulation, text: str) -> tuple[Path, Emulation]:
    """Pin `text` (a Python literal) as the answer of this run of the site, once it fits the type
    the site asked for; the file and the emulation as it now reads."""
    where = f"{program}:{emulation.line}"
    if len(emulation.answer_key) != 3:
        raise PinError(f"{where}: the run that emulated this line is too old to pin; run the program again.")
    try:
        value = ast.literal_eval(text.strip())
    except (ValueError, SyntaxError, TypeError, MemoryError, RecursionError):
        raise PinError(f"{where}: {text.strip()[:80]!r} is not a Python literal (write True, 3, 'text', [1, 2], ...).") from None
    request = _request(emulation)
    if request.kind in ("line", "pseudo") and len(request.targets) == 1 and not _is_answer_dict(value, request.targets):
        value = {request.targets[0]: value}  # one target: its value alone is enough
    try:
        value = checked(value, request)
    except AnswerError as error:
        raise PinError(f"{where}: the value does not fit: {error}") from None
    literal = literal_text(value)
    if literal is None:
        raise PinError(f"{where}: the value cannot be written as a Python literal.")
    path = answers_path(program)
    answers = _load(path)
    answers.add(_entry(emulation, literal))
    _save(answers)
    return path, _shown(emulation, value, literal)


def unpin(program: Path, group: Sequence[Emulation]) -> tuple[Path, int]:
    """Remove the pins of the site's runs; the file (removed when no answer is left, unless it is a symlink) and how
    many were removed."""
    path = answers_path(program)
    answers = _load(path)
    removed = 0
    for emulation in group:
        if len(emulation.answer_key) == 3:
            removed += answers.remove(_key(emulation))
    if removed:
        if len(answers) or path.is_symlink():  # a link someone made stays: its target is emptied
            _save(answers)
        else:
            try:
                path.unlink(missing_ok=True)
            except OSError as error:
                raise PinError(f"{path}: cannot be removed: {error.strerror or error}. Nothing was changed.") from None
    return path, removed


def _load(path: Path) -> RecordedAnswers:
    try:
        return RecordedAnswers.load(path, missing_ok=True)
    except ConfigError as error:
        raise PinError(f"{error} Fix or remove it; nothing was written.") from None


def _save(answers: RecordedAnswers) -> None:
    try:
        answers.save()
    except ConfigError as error:
        raise PinError(f"{error} Nothing was changed.") from None


def _key(emulation: Emulation) -> tuple[str, str, str]:
    scope, source, sees = emulation.answer_key
    return scope, source, sees


def _entry(emulation: Emulation, literal: str) -> Entry:
    scope, source, sees = emulation.answer_key
    return Entry(scope, source, json.loads(sees), literal, True, emulation.function, emulation.line)


def _request(emulation: Emulation) -> EmulationRequest:
    """The parts of the site's request the type check reads."""
    info = emulation.request
    kind = emulation.kind if emulation.kind in ("call", "expression", "line", "pseudo") else "line"
    return EmulationRequest(
        kind=kind,  # type: ignore[arg-type]
        source=emulation.source,
        lineno=emulation.line,
        function=emulation.function,
        targets=list(info.targets),
        returns=info.returns,
        target_types=dict(info.target_types),
    )


def _is_answer_dict(value: Any, targets: Sequence[str]) -> bool:
    return isinstance(value, dict) and set(value) == set(targets)


def _shown(emulation: Emulation, value: Any, literal: str) -> Emulation:
    """The emulation as the hint and hover show it once the edited value is pinned."""
    if emulation.kind in ("line", "pseudo") and isinstance(value, dict):
        values = {str(k): safe_repr(v, REPR_LIMIT) for k, v in value.items()}
        return dataclasses.replace(emulation, values=values, raw=literal, answer=literal, origin=PINNED_ORIGIN)
    return dataclasses.replace(
        emulation, value=safe_repr(value, REPR_LIMIT), raw=literal, answer=literal, origin=PINNED_ORIGIN
    )
