"""Inlay hints: the LM's answers at the end of each emulated call or line.

`→ True` after a call or expression, `count = 3` after a line; a site that ran many times lists
its values in order, capped: `→ True, False, True, … (12×)`. A pinned answer (from the program's
answers file, pins.py) starts with 📌; hints kept from an earlier run while the program does not
parse (a live run mid-edit, live.py) end with "(stale)".
"""

from __future__ import annotations

from collections.abc import Sequence

from lsprotocol import types as lsp

from coc_lsp.runtime.trace import Emulation
from coc_lsp.server import positions
from coc_lsp.server.pins import is_pinned
from coc_lsp.server.results import RunResults

SHOWN_VALUES = 3
VALUE_LIMIT = 40
LABEL_LIMIT = 100


def inlay_hints(
    lines: Sequence[str], results: RunResults | None, visible: lsp.Range, python_values: bool = False
) -> list[lsp.InlayHint]:
    if results is None:
        return []
    first, last = visible.start.line + 1, visible.end.line + 1
    hints = []
    for (line, _col), group in sorted(results.by_site(python_values).items()):
        if first <= line <= last:
            hints.append(
                lsp.InlayHint(
                    position=hint_position(lines, group[0]),
                    label=marked(label(group), group, results.stale),
                    padding_left=True,
                    tooltip=_tooltip(group) + (STALE_TOOLTIP if results.stale else ""),
                )
            )
    return hints


STALE_TOOLTIP = "; stale: from the last run, the program does not parse now"


def marked(text: str, group: list[Emulation], stale: bool) -> str:
    if all(is_pinned(e) for e in group):
        text = "📌 " + text
    return text + " (stale)" if stale else text


def _tooltip(group: list[Emulation]) -> str:
    who = "run by Python" if group[0].trigger == "python" else "emulated by the LM"
    if all(is_pinned(e) for e in group):
        who = "pinned (the program's .coc.answers.json)"
    return f"{who} ({len(group)}×)" if len(group) > 1 else who


def hint_position(lines: Sequence[str], emulation: Emulation) -> lsp.Position:
    if emulation.is_span:
        return positions.lsp_position(lines, emulation.end_line, emulation.end_col)
    return positions.line_end(lines, emulation.end_line)


def label(group: list[Emulation]) -> str:
    if group[0].kind in ("call", "expression"):
        text = "→ " + _listed([_short(str(e.value)) for e in group])
    else:
        names = list(dict.fromkeys(name for e in group for name in (e.values or {})))
        if not names:
            text = "→ (emulated" + (f", {len(group)}×)" if len(group) > 1 else ")")
        elif len(names) == 1:
            name = names[0]
            text = f"{name} = " + _listed([_short(str((e.values or {}).get(name, "?"))) for e in group])
        else:
            runs = [", ".join(f"{n} = {_short(str(v))}" for n, v in (e.values or {}).items()) for e in group]
            text = _listed(runs, separator="; ")
    return text if len(text) <= LABEL_LIMIT else text[: LABEL_LIMIT - 1] + "…"


def _listed(values: list[str], separator: str = ", ") -> str:
    if len(values) == 1:
        return values[0]
    shown = separator.join(values[:SHOWN_VALUES])
    more = separator + "…" if len(values) > SHOWN_VALUES else ""
    return f"{shown}{more} ({len(values)}×)"


def _short(value: str) -> str:
    return value if len(value) <= VALUE_LIMIT else value[: VALUE_LIMIT - 1] + "…"
