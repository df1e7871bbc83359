"""The pin commands and their code actions (pins.py does the writing).

    coc.pinAnswer [uri, line, character]                      pin every answer of the site there
    coc.editEmulatedValue [uri, line, character, value, run?]  pin `value` (a Python literal) for
                                                               the site's run `run` (0-based, default 0)
    coc.unpinAnswer [uri, line, character]                    remove the site's pins

Positions are LSP's (0-based, UTF-16). Each answers {"file": the answers file, "pinned"/"removed":
count}; a value that does not fit is an InvalidParams error whose message says why (nothing is
written). "Edit emulated value…" needs an input box: a client that has one says so in its
initializationOptions ({"editValuePrompt": true}, the VS Code extension) and gets the action as its
own command `coc.promptEmulatedValue` [uri, line, character, current value, run], which asks and
calls `coc.editEmulatedValue` back; other clients call `coc.editEmulatedValue` themselves.
"""

from __future__ import annotations

import contextlib
import dataclasses
from collections.abc import Iterator, Sequence
from typing import TYPE_CHECKING, Any

from lsprotocol import types as lsp
from pygls.exceptions import JsonRpcInvalidParams

from coc_lsp.runtime.trace import Emulation
from coc_lsp.server.hover import emulations_at
from coc_lsp.server.pins import UNPINNED_ORIGIN, PinError, edit_answer, is_pinned, pin_answers, unpin
from coc_lsp.server.results import RunResults

if TYPE_CHECKING:
    from coc_lsp.server.controller import Controller

PIN, EDIT, UNPIN = "coc.pinAnswer", "coc.editEmulatedValue", "coc.unpinAnswer"
PROMPT = "coc.promptEmulatedValue"  # the client's own command (an input box), never the server's
COMMANDS = (PIN, EDIT, UNPIN)
EDITABLE_RUNS = 3  # runs of a site in a loop offered for editing, one action each


def pin_actions(
    uri: str, lines: Sequence[str], results: RunResults | None, at: lsp.Position, can_prompt: bool
) -> list[lsp.CodeAction]:
    if results is None:
        return []
    group = emulations_at(lines, results, at)
    if not group or group[0].trigger == "python":
        return []
    where = [uri, at.line, at.character]

    def action(title: str, command: str, *args: Any) -> lsp.CodeAction:
        return lsp.CodeAction(
            title=title, kind=lsp.CodeActionKind.QuickFix, command=lsp.Command(title=title, command=command, arguments=[*where, *args])
        )

    found = []
    if can_prompt:
        for run, emulation in enumerate(group[:EDITABLE_RUNS]):
            suffix = f" (run {run + 1})" if len(group) > 1 else ""
            found.append(action(f"Edit emulated value…{suffix}", PROMPT, current_value(emulation), run))
    if not all(is_pinned(e) for e in group) and any(e.answer is not None for e in group):
        found.append(action("Pin this answer" if len(group) == 1 else f"Pin these answers ({len(group)})", PIN))
    if any(is_pinned(e) for e in group):
        found.append(action("Unpin", UNPIN))
    return found


def current_value(emulation: Emulation) -> str:
    """What the input box starts with: the literal answered (a line's one target: its value)."""
    if emulation.kind in ("line", "pseudo") and emulation.values and len(emulation.values) == 1:
        return next(iter(emulation.values.values()))
    return emulation.answer or str(emulation.value if emulation.value is not None else "")


def pin(controller: Controller, uri: str, line: int, character: int) -> dict[str, Any]:
    path, results, group = _site(controller, uri, line, character)
    with _refused():
        file, pinned = pin_answers(path, group)
    _replace(controller, uri, results, group, pinned)
    return {"file": str(file), "pinned": sum(is_pinned(e) for e in pinned)}


def edit(controller: Controller, uri: str, line: int, character: int, value: Any = None, run: Any = 0) -> dict[str, Any]:
    path, results, group = _site(controller, uri, line, character)
    if not isinstance(value, str):
        raise JsonRpcInvalidParams(f"{EDIT}: the value must be a string holding a Python literal, e.g. \"True\".")
    index = run if isinstance(run, int) and 0 <= run < len(group) else 0
    with _refused():
        file, edited = edit_answer(path, group[index], value)
    _replace(controller, uri, results, [group[index]], [edited])
    return {"file": str(file), "pinned": 1}


def remove(controller: Controller, uri: str, line: int, character: int) -> dict[str, Any]:
    path, results, group = _site(controller, uri, line, character)
    with _refused():
        file, removed = unpin(path, group)
    shown = [dataclasses.replace(e, origin=UNPINNED_ORIGIN) if is_pinned(e) else e for e in group]
    _replace(controller, uri, results, group, shown)
    return {"file": str(file), "removed": removed}


@contextlib.contextmanager
def _refused() -> Iterator[None]:
    """A pins file that cannot be read or written refuses the command; its message says why."""
    try:
        yield
    except PinError as error:
        raise JsonRpcInvalidParams(str(error)) from None


def _site(controller: Controller, uri: str, line: Any, character: Any) -> tuple[Any, RunResults, list[Emulation]]:
    try:
        at = lsp.Position(line, character)  # checks the types and the range (0 to 2**31 - 1)
    except (TypeError, ValueError):
        raise JsonRpcInvalidParams("expected [uri, line, character] (0-based, as LSP positions)") from None
    results = controller.results(uri)
    lines = controller.lines(uri)
    group = emulations_at(lines, results, at) if results is not None else []
    if results is None or not group or group[0].trigger == "python":
        raise JsonRpcInvalidParams(f"{uri}:{line + 1}: no emulated answer here; run the program first.")
    return controller.document_path(uri), results, group


def _replace(controller: Controller, uri: str, results: RunResults, old: list[Emulation], new: list[Emulation]) -> None:
    """Show the pins now (the next run reads them from the file), and start a live run if on."""
    swap = {id(o): n for o, n in zip(old, new, strict=True)}
    results.emulations = [swap.get(id(e), e) for e in results.emulations]
    controller.refresh_hints()
    controller.answers_changed(uri)
